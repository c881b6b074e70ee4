package dev.onsale.waitingroom;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The buyer's page, {@code GET /e/{slug}}: one HTML document (the queue, then the shop, the
 * checkout and the confirmation) plus the queue's script and a style sheet served as files from the
 * jar; the shop's script is the sale core's ({@code /shop/assets/shop.js}, see its
 * {@code ShopPages}), which the queue's script hands the page to once the buyer is admitted. No
 * inline script, so the Content-Security-Policy ({@code script-src 'self'}) holds; the page learns
 * the event id from a data attribute.
 */
final class QueuePages {

  static final String ASSETS_PATH = "/waiting-room/assets/";
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,99}");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");

  private final WaitingRoomRuntime runtime;
  private Future<String> template;
  private Future<String> notFound;

  QueuePages(WaitingRoomRuntime runtime) {
    this.runtime = runtime;
  }

  void mount(Router router) {
    // Read once, asynchronously, from the jar: no blocking file access on the event loop.
    template = read("waitingroom-templates/queue.html");
    notFound = read("waitingroom-templates/not-found.html");
    router.get("/e/:slug").handler(this::page);
    router.get(ASSETS_PATH + "*").handler(StaticHandler.create("waitingroom-assets")
        .setCachingEnabled(true)
        .setMaxAgeSeconds(300)
        .setDirectoryListing(false));
  }

  private Future<String> read(String resource) {
    return runtime.services().vertx().fileSystem().readFile(resource).map(Buffer::toString);
  }

  private void page(RoutingContext ctx) {
    String slug = ctx.pathParam("slug");
    if (slug == null || !SLUG.matcher(slug).matches()) {
      sendNotFound(ctx);
      return;
    }
    runtime.snapshots().eventIdForSlug(slug)
        .compose(eventId -> eventId == null ? Future.succeededFuture(null) : runtime.snapshots().get(eventId))
        .compose(snapshot -> {
          if (snapshot == null) {
            sendNotFound(ctx);
            return Future.succeededFuture();
          }
          EventInfo event = snapshot.event();
          return template.map(html -> render(html, Map.of(
              "eventId", String.valueOf(event.id()),
              "slug", slug,
              "eventName", event.meta().name(),
              "venue", event.meta().venue())));
        })
        .onSuccess(html -> {
          if (html != null) {
            ctx.response()
                .putHeader("Content-Type", "text/html; charset=utf-8")
                .putHeader("Cache-Control", "no-store")
                .end(html);
          }
        })
        .onFailure(ctx::fail);
  }

  private void sendNotFound(RoutingContext ctx) {
    notFound.onComplete(ar -> ctx.response()
        .setStatusCode(404)
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .end(ar.succeeded() ? ar.result() : "<!doctype html><title>Not found</title><p>No such event.</p>"));
  }

  /** Fills {@code {{name}}} placeholders with HTML-escaped values in one pass. */
  static String render(String html, Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(html);
    StringBuilder out = new StringBuilder(html.length() + 256);
    while (matcher.find()) {
      String value = values.getOrDefault(matcher.group(1), "");
      matcher.appendReplacement(out, Matcher.quoteReplacement(escape(value)));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
