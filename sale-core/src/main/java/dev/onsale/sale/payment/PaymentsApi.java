package dev.onsale.sale.payment;

import dev.onsale.common.ApiException;
import dev.onsale.common.Json;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buyer's way to the provider ({@code GET /pay/{paymentId}}), the provider's notifications
 * ({@code POST /api/v1/payments/{provider}/webhook}) and, with the {@code test} provider, its own
 * pay page and the page's "Pay" and "Decline".
 */
public final class PaymentsApi implements WebModule {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentsApi.class);

  private final PaymentService payments;
  private final ShopPages pages;

  public PaymentsApi(PaymentService payments, ShopPages pages) {
    this.payments = payments;
    this.pages = pages;
  }

  static final String WEBHOOK_PATH = "/api/v1/payments/:provider/webhook";

  /** A provider's signature covers the exact bytes it sent: the webhook reads its body raw. */
  @Override
  public java.util.List<String> rawBodyPaths() {
    return java.util.List.of(WEBHOOK_PATH);
  }

  @Override
  public void mount(Router router) {
    router.get("/pay/:paymentId").handler(this::pay);
    router.post(WEBHOOK_PATH).handler(this::webhook);
    if (payments.provider() instanceof TestProvider) {
      router.get("/pay/test/:paymentId").handler(this::testPage);
      router.get("/api/v1/payments/test/:paymentId").handler(this::testSession);
      router.post("/api/v1/payments/test/:paymentId/succeed").handler(ctx -> testDecision(ctx, true));
      router.post("/api/v1/payments/test/:paymentId/fail").handler(ctx -> testDecision(ctx, false));
    }
  }

  /**
   * Opens (or resumes) the provider's session and sends the buyer there; when the provider's rate
   * is reached, a page that tries again by itself in a second.
   */
  private void pay(RoutingContext ctx) {
    UUID paymentId = paymentId(ctx);
    payments.checkoutUrl(paymentId)
        .onSuccess(url -> ctx.response().setStatusCode(303).putHeader("Location", url)
            .putHeader("Cache-Control", "no-store").end())
        .onFailure(e -> {
          if (e instanceof ApiException api && api.status() == 503) {
            pages.retrySoon(ctx, api.getMessage());
          } else {
            ctx.fail(e);
          }
        });
  }

  /**
   * A provider's notification, verified on its raw body. Answers 400 for a bad signature (counted,
   * alerting), 503 for a payment Onsale does not know yet (the provider retries), 200 otherwise.
   */
  private void webhook(RoutingContext ctx) {
    String name = ctx.pathParam("provider");
    if (!payments.provider().name().equals(name)) {
      throw ApiException.notFound("payment provider " + name);
    }
    Buffer raw = ctx.body().buffer();
    WebhookNotice notice;
    try {
      notice = payments.provider().verifyWebhook(raw == null ? Buffer.buffer() : raw, ctx.request().headers());
    } catch (WebhookSignatureException e) {
      payments.metrics().webhookRejected(name);
      LOG.warn("refused a {} notification: {}", name, e.getMessage());
      throw ApiException.badRequest("bad_signature", "the notification's signature does not verify");
    }
    payments.onNotification(notice)
        .onSuccess(result -> Json.send(ctx, 200, new JsonObject().put("received", true).put("result", result)))
        .onFailure(e -> ctx.fail(e instanceof PaymentService.UnknownPayment
            ? ApiException.unavailable("unknown_payment", "this payment is not known yet; try again", 5)
            : e));
  }

  private void testPage(RoutingContext ctx) {
    UUID paymentId = paymentId(ctx);
    payments.find(paymentId)
        .onSuccess(payment -> {
          if (payment == null) {
            ctx.fail(ApiException.notFound("payment"));
            return;
          }
          pages.testPayPage(ctx);
        })
        .onFailure(ctx::fail);
  }

  /** What the test provider's page shows: the amount, the order and whether it can still be paid. */
  private void testSession(RoutingContext ctx) {
    UUID paymentId = paymentId(ctx);
    payments.find(paymentId)
        .compose(payment -> payment == null
            ? Future.failedFuture(ApiException.notFound("payment"))
            : payments.provider().fetch(paymentId.toString())
                .map(state -> new JsonObject()
                    .put("amountCents", payment.amountCents())
                    .put("currency", payment.currency())
                    .put("orderCode", payment.orderCode())
                    .put("status", state.outcome() == null ? "refunded" : state.outcome().name().toLowerCase())
                    .put("expiresAt", dev.onsale.common.Json.instant(payment.windowEndsAt()))
                    .put("timeZone", payment.timeZone())
                    .put("orderUrl", payments.orderPageUrl(payment.orderCode(), payment.orderSecret())))
                .recover(e -> Future.failedFuture(ApiException.conflict("session_not_open",
                    "this payment was not opened at the provider; start from your order"))))
        .onSuccess(body -> {
          ctx.response().putHeader("Cache-Control", "no-store");
          Json.send(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  /**
   * "Pay" or "Decline" on the test provider's page: the provider records the buyer's decision and
   * notifies Onsale at once, as Stripe's webhook would, unless {@code ONSALE_TEST_PROVIDER_NOTIFY}
   * is off, in which case only reconciliation at the window's end finds out.
   */
  private void testDecision(RoutingContext ctx, boolean pay) {
    UUID paymentId = paymentId(ctx);
    TestProvider provider = (TestProvider) payments.provider();
    // The session moves first; the settlement names the order, so the paying buyer's path reads
    // the payment only when nobody is notified.
    provider.decide(paymentId, pay)
        .compose(state -> state == null ? notMoved(paymentId, pay) : moved(paymentId, state))
        .onSuccess(body -> {
          ctx.response().putHeader("Cache-Control", "no-store");
          Json.send(ctx, 200, body);
        })
        .onFailure(ctx::fail);
  }

  /** The session did not move: an unknown payment (404), or one no longer open (409). */
  private Future<JsonObject> notMoved(UUID paymentId, boolean pay) {
    return payments.find(paymentId).compose(payment -> Future.failedFuture(payment == null
        ? ApiException.notFound("payment")
        : ApiException.conflict("session_not_open",
            "this payment can no longer be " + (pay ? "paid" : "declined") + "; see your order")));
  }

  /** The session moved: Onsale is told at once, as by a webhook, unless notifying is off. */
  private Future<JsonObject> moved(UUID paymentId, ProviderPayment state) {
    if (!payments.settings().testProviderNotifies()) {
      return decisionAfterReading(paymentId, "not_notified");
    }
    return payments.settle(paymentId, state).compose(settled -> settled.orderSecret() != null
        ? Future.succeededFuture(decision(settled.result(), settled.orderCode(), settled.orderSecret()))
        : decisionAfterReading(paymentId, settled.result()));
  }

  private Future<JsonObject> decisionAfterReading(UUID paymentId, String result) {
    return payments.find(paymentId).compose(payment -> payment == null
        ? Future.failedFuture(ApiException.notFound("payment"))
        : Future.succeededFuture(decision(result, payment.orderCode(), payment.orderSecret())));
  }

  private JsonObject decision(String result, String orderCode, String orderSecret) {
    return new JsonObject().put("result", result).put("orderUrl", payments.orderPageUrl(orderCode, orderSecret));
  }

  private static UUID paymentId(RoutingContext ctx) {
    String raw = ctx.pathParam("paymentId");
    try {
      if (raw != null && raw.length() == 36) {
        return UUID.fromString(raw);
      }
    } catch (IllegalArgumentException ignored) {
      // not a payment id
    }
    throw ApiException.notFound("payment");
  }
}
