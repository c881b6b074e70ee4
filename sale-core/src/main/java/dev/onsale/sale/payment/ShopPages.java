package dev.onsale.sale.payment;

import dev.onsale.common.WebModule;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The buyer's pages after the shop: the order page ({@code /orders/{code}?secret=}, linked from
 * mails and where every provider returns the buyer), the {@code test} provider's pay page, and the
 * page that retries when the provider's rate is reached. The pages are static; their script reads
 * the order API, so nothing secret is rendered into HTML. Under {@code /shop/assets/} it also serves
 * the shop itself, {@code shop.js}: the waiting room's queue page loads it and hands the page to it
 * once the buyer is admitted (at once when the event has no waiting room).
 */
public final class ShopPages implements WebModule {

  static final String ASSETS_PATH = "/shop/assets/";

  @Override
  public void mount(Router router) {
    router.get("/orders/:code").handler(ctx -> page(ctx, ORDER_PAGE));
    router.get(ASSETS_PATH + "*").handler(StaticHandler.create("shop-assets").setCachingEnabled(true).setMaxAgeSeconds(300));
  }

  void testPayPage(RoutingContext ctx) {
    page(ctx, TEST_PAY_PAGE);
  }

  /** The provider's rate is reached: the page reloads itself in a second (and says why). */
  void retrySoon(RoutingContext ctx, String message) {
    ctx.response().setStatusCode(503).putHeader("Retry-After", "1");
    page(ctx, RETRY_PAGE.replace("{{message}}", escape(message)));
  }

  private static void page(RoutingContext ctx, String html) {
    if (!ctx.response().headWritten()) {
      ctx.response()
          .putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .putHeader("Referrer-Policy", "no-referrer")
          .end(html);
    }
  }

  static String escape(String text) {
    return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;").replace("'", "&#39;");
  }

  private static final String HEAD = """
      <!doctype html>
      <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/shop/assets/shop.css">
      """;

  private static final String ORDER_PAGE = HEAD + """
        <title>Your order</title>
        <script src="/shop/assets/common.js" defer></script>
        <script src="/shop/assets/order.js" defer></script>
      </head>
      <body>
        <main id="app">
          <header class="event"><h1 id="event-name">Your order</h1><p id="event-when" class="venue"></p></header>
          <div id="notice" class="notice" role="alert" hidden></div>
          <section class="card" aria-labelledby="order-heading">
            <h2 id="order-heading">Order <span id="order-code">…</span></h2>
            <p id="order-status" class="lead" aria-live="polite">Loading your order…</p>
            <p id="order-next" class="hint"></p>
            <div class="actions">
              <a id="pay-link" class="button" href="#" hidden>Pay now</a>
              <button id="retry-button" type="button" hidden>Try paying again</button>
            </div>
            <table id="lines" class="lines">
              <caption class="visually-hidden">What you ordered</caption>
              <thead><tr><th scope="col">Tickets</th><th scope="col" class="num">Price</th><th scope="col" class="num">Amount</th></tr></thead>
              <tbody></tbody>
              <tfoot><tr><th scope="row" colspan="2">Total</th><td id="total" class="num">–</td></tr></tfoot>
            </table>
            <ul id="tickets" class="tickets"></ul>
          </section>
        </main>
      </body>
      </html>
      """;

  private static final String TEST_PAY_PAGE = HEAD + """
        <title>Test payment</title>
        <script src="/shop/assets/common.js" defer></script>
        <script src="/shop/assets/pay.js" defer></script>
      </head>
      <body>
        <main id="app">
          <header class="event"><h1>Test payment</h1>
            <p class="venue">Onsale's test provider: no money moves. Production never offers this page.</p></header>
          <div id="notice" class="notice" role="alert" hidden></div>
          <section class="card" aria-labelledby="pay-heading">
            <h2 id="pay-heading">Pay <span id="amount">…</span></h2>
            <p id="pay-for" class="lead">Order <span id="order-code">…</span></p>
            <p id="pay-until" class="hint"></p>
            <div class="actions">
              <button id="pay-button" type="button">Pay</button>
              <button id="decline-button" type="button" class="secondary">Decline</button>
            </div>
          </section>
        </main>
      </body>
      </html>
      """;

  private static final String RETRY_PAGE = HEAD + """
        <title>One moment</title>
        <meta http-equiv="refresh" content="1">
      </head>
      <body>
        <main id="app">
          <section class="card"><h1>One moment…</h1><p class="lead">{{message}}</p></section>
        </main>
      </body>
      </html>
      """;
}
