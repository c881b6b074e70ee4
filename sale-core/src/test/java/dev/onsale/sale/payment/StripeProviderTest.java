package dev.onsale.sale.payment;

import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.TestEnv.awaitOn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.exception.ApiConnectionException;
import com.stripe.net.HttpURLConnectionClient;
import com.stripe.net.StripeRequest;
import com.stripe.net.StripeResponse;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.sale.payment.ProviderPayment.Outcome;
import dev.onsale.sale.payment.StripeDouble.Recorded;
import dev.onsale.sale.payment.StripeDouble.SignedEvent;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Stripe provider, against a local double of Stripe's API")
class StripeProviderTest {

  static Vertx vertx;

  StripeDouble stripe;
  StripeProvider provider;
  /** Every thread the SDK made an HTTP call from, and whether it was an event loop. */
  final List<String> callThreads = new CopyOnWriteArrayList<>();

  /** The SDK's own HTTP client, noting the thread each call runs on. */
  final class WatchingHttpClient extends HttpURLConnectionClient {
    @Override
    public StripeResponse request(StripeRequest request) throws ApiConnectionException {
      callThreads.add(Thread.currentThread().getName() + (Context.isOnEventLoopThread() ? " (event loop)" : ""));
      return super.request(request);
    }
  }

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() {
    await(vertx.close());
  }

  @BeforeEach
  void start() {
    stripe = StripeDouble.start();
    StripeSettings settings = new StripeSettings(
        stripe.secretKey(), stripe.webhookSecret(), stripe.apiBase(), 1_000, 1_500, 4, 300);
    provider = new StripeProvider(vertx, settings, new WatchingHttpClient());
  }

  @AfterEach
  void stop() {
    await(provider.close());
    stripe.close();
    assertThat(callThreads)
        .as("every SDK call ran on the bounded worker pool, none on an event loop")
        .allSatisfy(name -> assertThat(name).startsWith("onsale-stripe").doesNotContain("event loop"));
  }

  static PaymentRequest request(UUID paymentId) {
    return new PaymentRequest(
        paymentId,
        "ORD-7K2Q",
        2 * 2_500 + 4_000,
        "EUR",
        List.of(new PaymentRequest.Line("Standing", 2_500, 2), new PaymentRequest.Line("Balcony", 4_000, 1)),
        "buyer@example.org",
        Instant.now().plusSeconds(900),
        "https://shop.example.org/orders/ORD-7K2Q?paid=1",
        "https://shop.example.org/orders/ORD-7K2Q");
  }

  CheckoutSession open(UUID paymentId) {
    return await(provider.openSession(request(paymentId)));
  }

  static ProviderException failure(Throwable thrown) {
    assertThat(thrown).isInstanceOf(ProviderException.class);
    return (ProviderException) thrown;
  }

  Throwable failureOf(io.vertx.core.Future<?> future) {
    try {
      await(future);
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("expected the call to fail");
  }

  @Test
  @DisplayName("opens a Checkout Session with the order's lines, Onsale's reference and an idempotency key from the payment id")
  void opensSession() {
    UUID paymentId = UUID.randomUUID();
    CheckoutSession session = open(paymentId);

    assertThat(session.sessionId()).startsWith("cs_test_");
    assertThat(session.url()).startsWith(stripe.apiBase() + "/c/pay/");
    List<Recorded> creates = stripe.requests(StripeDouble.CREATE_SESSION);
    assertThat(creates).hasSize(1);
    Recorded create = creates.get(0);
    assertThat(create.idempotencyKey()).isEqualTo("onsale:" + paymentId + ":create");
    assertThat(create.stripeVersion()).isEqualTo(StripeProvider.API_VERSION).isEqualTo("2026-07-29.dahlia");
    assertThat(create.params())
        .containsEntry("mode", "payment")
        .containsEntry("payment_method_types[0]", "card")
        .containsEntry("client_reference_id", paymentId.toString())
        .containsEntry("metadata[onsale_payment_id]", paymentId.toString())
        .containsEntry("metadata[onsale_order]", "ORD-7K2Q")
        .containsEntry("payment_intent_data[metadata][onsale_payment_id]", paymentId.toString())
        .containsEntry("customer_email", "buyer@example.org")
        .containsEntry("success_url", "https://shop.example.org/orders/ORD-7K2Q?paid=1")
        .containsEntry("cancel_url", "https://shop.example.org/orders/ORD-7K2Q")
        .containsEntry("line_items[0][price_data][currency]", "eur")
        .containsEntry("line_items[0][price_data][unit_amount]", "2500")
        .containsEntry("line_items[0][price_data][product_data][name]", "Standing")
        .containsEntry("line_items[0][quantity]", "2")
        .containsEntry("line_items[1][price_data][currency]", "eur")
        .containsEntry("line_items[1][price_data][unit_amount]", "4000")
        .containsEntry("line_items[1][price_data][product_data][name]", "Balcony")
        .containsEntry("line_items[1][quantity]", "1")
        .doesNotContainKey("expires_at");
    JsonObject stored = stripe.session(session.sessionId());
    assertThat(stored.getLong("amount_total")).isEqualTo(9_000);
    assertThat(stored.getString("status")).isEqualTo("open");
  }

  @Test
  @DisplayName("refuses lines that do not add up to the payment's amount, without calling Stripe")
  void refusesLinesThatDoNotAddUp() {
    PaymentRequest good = request(UUID.randomUUID());
    PaymentRequest bad = new PaymentRequest(good.paymentId(), good.orderCode(), 1, good.currency(), good.lines(),
        good.buyerEmail(), good.expiresAt(), good.successUrl(), good.cancelUrl());
    ProviderException e = failure(failureOf(provider.openSession(bad)));
    assertThat(e.retryable()).isFalse();
    assertThat(stripe.count(StripeDouble.CREATE_SESSION)).isZero();
  }

  @Test
  @DisplayName("after a 500 whose session was made, the retry reuses the same key and gets that one session back")
  void retryAfterLostAnswerYieldsOneSession() {
    UUID paymentId = UUID.randomUUID();
    stripe.loseNextAnswers(StripeDouble.CREATE_SESSION, 1);

    ProviderException e = failure(failureOf(provider.openSession(request(paymentId))));
    assertThat(e.retryable()).isTrue();
    assertThat(e.code()).isEqualTo("api_error");

    CheckoutSession session = open(paymentId);
    assertThat(stripe.sessions()).hasSize(1);
    assertThat(stripe.sessions().get(0).getString("id")).isEqualTo(session.sessionId());
    assertThat(stripe.requests(StripeDouble.CREATE_SESSION))
        .extracting(Recorded::idempotencyKey)
        .containsExactly("onsale:" + paymentId + ":create", "onsale:" + paymentId + ":create");
  }

  @Test
  @DisplayName("after a 500 before anything was made, the retry makes the session once")
  void retryAfterFrontDoor500() {
    UUID paymentId = UUID.randomUUID();
    stripe.failNext(StripeDouble.CREATE_SESSION, 1, 500);
    assertThat(failure(failureOf(provider.openSession(request(paymentId)))).retryable()).isTrue();
    assertThat(stripe.sessions()).isEmpty();

    CheckoutSession first = open(paymentId);
    CheckoutSession again = open(paymentId);
    assertThat(again.sessionId()).isEqualTo(first.sessionId());
    assertThat(stripe.sessions()).hasSize(1);
  }

  @Test
  @DisplayName("the same key with other parameters is refused for good, as Stripe does")
  void sameKeyOtherParams() {
    UUID paymentId = UUID.randomUUID();
    open(paymentId);
    PaymentRequest first = request(paymentId);
    PaymentRequest changed = new PaymentRequest(paymentId, first.orderCode(), 2_500, "EUR",
        List.of(new PaymentRequest.Line("Standing", 2_500, 1)), first.buyerEmail(), first.expiresAt(),
        first.successUrl(), first.cancelUrl());
    ProviderException e = failure(failureOf(provider.openSession(changed)));
    assertThat(e.retryable()).isFalse();
    assertThat(e.code()).isEqualTo("idempotency_error");
    assertThat(stripe.sessions()).hasSize(1);
  }

  @Test
  @DisplayName("a 429 is a retryable failure with Stripe's code")
  void rateLimited() {
    stripe.failNext(1, 429);
    ProviderException e = failure(failureOf(provider.openSession(request(UUID.randomUUID()))));
    assertThat(e.retryable()).isTrue();
    assertThat(e.code()).isEqualTo("rate_limit");
    assertThat(stripe.sessions()).isEmpty();
  }

  @Test
  @DisplayName("a call that outlasts the read timeout is a retryable failure, and the SDK does not retry by itself")
  void timesOut() {
    CheckoutSession session = open(UUID.randomUUID());
    stripe.delayNext(StripeDouble.GET_SESSION, 1, 2_500);
    ProviderException e = failure(failureOf(provider.fetch(session.sessionId())));
    assertThat(e.retryable()).isTrue();
    assertThat(e.code()).isEqualTo("timeout");
    assertThat(stripe.count(StripeDouble.GET_SESSION)).isEqualTo(1);
  }

  @Test
  @DisplayName("a request Stripe refuses (an unknown session) is not retryable and carries Stripe's code")
  void refusedForGood() {
    ProviderException e = failure(failureOf(provider.fetch("cs_test_nosuchsession")));
    assertThat(e.retryable()).isFalse();
    assertThat(e.code()).isEqualTo("resource_missing");

    StripeSettings wrongKey = new StripeSettings(
        "sk_test_not_the_right_one", stripe.webhookSecret(), stripe.apiBase(), 1_000, 1_500, 1, 300);
    StripeProvider unauthorized = new StripeProvider(vertx, wrongKey, new WatchingHttpClient());
    try {
      ProviderException denied = failure(failureOf(unauthorized.fetch("cs_test_whatever")));
      assertThat(denied.retryable()).isFalse();
      assertThat(denied.getMessage()).contains("HTTP 401").doesNotContain("sk_test_not_the_right_one");
    } finally {
      await(unauthorized.close());
    }
  }

  @Test
  @DisplayName("fetch reads each state: open, paid, completed but unpaid, paid later, expired")
  void fetchMapsStates() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();

    ProviderPayment open = await(provider.fetch(id));
    assertThat(open).isEqualTo(new ProviderPayment(id, paymentId, Outcome.OPEN, 9_000, "EUR", null));

    stripe.pay(id);
    ProviderPayment paid = await(provider.fetch(id));
    assertThat(paid.outcome()).isEqualTo(Outcome.PAID);
    assertThat(paid.paymentId()).isEqualTo(paymentId);
    assertThat(paid.amountMinor()).isEqualTo(9_000);
    assertThat(paid.currency()).isEqualTo("EUR");
    assertThat(paid.chargeRef()).startsWith("pi_").isEqualTo(stripe.session(id).getString("payment_intent"));

    String asyncId = open(UUID.randomUUID()).sessionId();
    stripe.completeUnpaid(asyncId);
    assertThat(await(provider.fetch(asyncId)).outcome()).isEqualTo(Outcome.PROCESSING);
    stripe.asyncSucceeded(asyncId);
    assertThat(await(provider.fetch(asyncId)).outcome()).isEqualTo(Outcome.PAID);

    String lapsedId = open(UUID.randomUUID()).sessionId();
    stripe.expireNow(lapsedId);
    assertThat(await(provider.fetch(lapsedId)).outcome()).isEqualTo(Outcome.EXPIRED);
  }

  @Test
  @DisplayName("expire ends an open session; a session already paid or expired answers what it became")
  void expires() {
    String open = open(UUID.randomUUID()).sessionId();
    assertThat(await(provider.expire(open)).outcome()).isEqualTo(Outcome.EXPIRED);
    assertThat(stripe.session(open).getString("status")).isEqualTo("expired");
    assertThat(await(provider.expire(open)).outcome()).as("expiring twice").isEqualTo(Outcome.EXPIRED);

    String paid = open(UUID.randomUUID()).sessionId();
    stripe.pay(paid);
    ProviderPayment afterwards = await(provider.expire(paid));
    assertThat(afterwards.outcome()).isEqualTo(Outcome.PAID);
    assertThat(afterwards.chargeRef()).startsWith("pi_");
    assertThat(stripe.count(StripeDouble.EXPIRE_SESSION)).isEqualTo(3);
  }

  @Test
  @DisplayName("refunds a paid session in full with the refund's key; a repeat is the same refund; charge_already_refunded counts as done")
  void refunds() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();
    String paymentIntent = stripe.pay(id).getString("payment_intent");
    RefundRequest request = new RefundRequest(paymentId, id, paymentIntent, 9_000, "EUR", RefundRequest.keyFor(paymentId));

    RefundResult first = await(provider.refund(request));
    assertThat(first.alreadyRefunded()).isFalse();
    assertThat(first.refundId()).startsWith("re_");
    assertThat(stripe.requests(StripeDouble.CREATE_REFUND).get(0).params())
        .containsEntry("payment_intent", paymentIntent)
        .doesNotContainKey("amount");
    assertThat(stripe.requests(StripeDouble.CREATE_REFUND).get(0).idempotencyKey())
        .isEqualTo("onsale:" + paymentId + ":refund");

    assertThat(await(provider.refund(request))).as("the same key again").isEqualTo(first);

    RefundRequest otherKey = new RefundRequest(paymentId, id, paymentIntent, 9_000, "EUR", "onsale:" + paymentId + ":refund:2");
    RefundResult again = await(provider.refund(otherKey));
    assertThat(again.alreadyRefunded()).isTrue();
    assertThat(again.refundId()).isEqualTo(first.refundId());
    assertThat(stripe.refundsOf(paymentIntent)).hasSize(1);
    assertThat(stripe.refundsOf(paymentIntent).get(0).getLong("amount")).isEqualTo(9_000);
  }

  @Test
  @DisplayName("a refund without the payment intent finds it through the session")
  void refundBySession() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();
    String paymentIntent = stripe.pay(id).getString("payment_intent");
    RefundResult result = await(provider.refund(
        new RefundRequest(paymentId, id, null, 9_000, "EUR", RefundRequest.keyFor(paymentId))));
    assertThat(result.alreadyRefunded()).isFalse();
    assertThat(stripe.refundsOf(paymentIntent)).hasSize(1);
  }

  @Test
  @DisplayName("after a refund's 500, the refunds of the payment intent are looked up before anything is created again")
  void refundAfterLostAnswer() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();
    String paymentIntent = stripe.pay(id).getString("payment_intent");
    stripe.loseNextAnswers(StripeDouble.CREATE_REFUND, 1);

    RefundResult result = await(provider.refund(
        new RefundRequest(paymentId, id, paymentIntent, 9_000, "EUR", RefundRequest.keyFor(paymentId))));
    assertThat(result.refundId()).isEqualTo(stripe.refundsOf(paymentIntent).get(0).getString("id"));
    assertThat(stripe.count(StripeDouble.LIST_REFUNDS)).isEqualTo(1);
    assertThat(stripe.count(StripeDouble.CREATE_REFUND)).isEqualTo(1);

    // A 500 before Stripe did anything: nothing found, so the failure stands and is retryable.
    String other = open(UUID.randomUUID()).sessionId();
    String otherIntent = stripe.pay(other).getString("payment_intent");
    stripe.failNext(StripeDouble.CREATE_REFUND, 1, 503);
    ProviderException e = failure(failureOf(provider.refund(
        new RefundRequest(null, other, otherIntent, 9_000, "EUR", "onsale:x:refund"))));
    assertThat(e.retryable()).isTrue();
    assertThat(stripe.refundsOf(otherIntent)).isEmpty();
  }

  MultiMap headers(String signature) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    if (signature != null) {
      headers.add("stripe-signature", signature);
    }
    return headers;
  }

  WebhookNotice verify(SignedEvent event) {
    return provider.verifyWebhook(Buffer.buffer(event.payload()), headers(event.signature()));
  }

  @Test
  @DisplayName("a well signed checkout.session.completed with payment_status paid is PAID")
  void webhookPaid() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();
    stripe.pay(id);
    SignedEvent event = stripe.event("checkout.session.completed", id);
    WebhookNotice notice = verify(event);
    assertThat(notice.eventId()).isEqualTo(event.id()).startsWith("evt_");
    assertThat(notice.type()).isEqualTo("checkout.session.completed");
    assertThat(notice.payment().outcome()).isEqualTo(Outcome.PAID);
    assertThat(notice.payment().paymentId()).isEqualTo(paymentId);
    assertThat(notice.payment().sessionId()).isEqualTo(id);
    assertThat(notice.payment().amountMinor()).isEqualTo(9_000);
    assertThat(notice.payment().currency()).isEqualTo("EUR");
    assertThat(notice.payment().chargeRef()).isEqualTo(stripe.session(id).getString("payment_intent"));
  }

  @Test
  @DisplayName("forged, stale, tampered and unsigned notifications are refused")
  void webhookSignatures() {
    String id = open(UUID.randomUUID()).sessionId();
    stripe.pay(id);
    SignedEvent event = stripe.event("checkout.session.completed", id);
    long now = Instant.now().getEpochSecond();

    String forged = StripeDouble.sign(event.payload(), now, "whsec_somebody_else");
    assertThatThrownBy(() -> provider.verifyWebhook(Buffer.buffer(event.payload()), headers(forged)))
        .isInstanceOf(WebhookSignatureException.class);

    SignedEvent stale = stripe.event("checkout.session.completed", id, StripeProvider.API_VERSION, now - 301);
    assertThatThrownBy(() -> verify(stale)).isInstanceOf(WebhookSignatureException.class);

    String tampered = event.payload().replace("\"amount_total\" : 9000", "\"amount_total\" : 1");
    assertThat(tampered).isNotEqualTo(event.payload());
    assertThatThrownBy(() -> provider.verifyWebhook(Buffer.buffer(tampered), headers(event.signature())))
        .isInstanceOf(WebhookSignatureException.class);

    assertThatThrownBy(() -> provider.verifyWebhook(Buffer.buffer(event.payload()), headers(null)))
        .isInstanceOf(WebhookSignatureException.class);
    assertThatThrownBy(() -> provider.verifyWebhook(Buffer.buffer(event.payload()), headers("t=1,v1=00")))
        .isInstanceOf(WebhookSignatureException.class);

    String notJson = "not an event";
    assertThatThrownBy(() -> provider.verifyWebhook(Buffer.buffer(notJson), headers(stripe.sign(notJson, now))))
        .isInstanceOf(WebhookSignatureException.class);

    SignedEvent recent = stripe.event("checkout.session.completed", id, StripeProvider.API_VERSION, now - 200);
    assertThat(verify(recent).payment().outcome()).as("200 s old is within the tolerance").isEqualTo(Outcome.PAID);
  }

  @Test
  @DisplayName("completed but unpaid is not PAID; async success is PAID, async failure FAILED, expiry EXPIRED")
  void webhookOutcomes() {
    String async = open(UUID.randomUUID()).sessionId();
    stripe.completeUnpaid(async);
    assertThat(verify(stripe.event("checkout.session.completed", async)).payment().outcome())
        .isEqualTo(Outcome.PROCESSING);
    stripe.asyncSucceeded(async);
    assertThat(verify(stripe.event("checkout.session.async_payment_succeeded", async)).payment().outcome())
        .isEqualTo(Outcome.PAID);

    String failing = open(UUID.randomUUID()).sessionId();
    stripe.completeUnpaid(failing);
    stripe.asyncFailed(failing);
    assertThat(verify(stripe.event("checkout.session.async_payment_failed", failing)).payment().outcome())
        .isEqualTo(Outcome.FAILED);

    String lapsed = open(UUID.randomUUID()).sessionId();
    stripe.expireNow(lapsed);
    assertThat(verify(stripe.event("checkout.session.expired", lapsed)).payment().outcome())
        .isEqualTo(Outcome.EXPIRED);

    WebhookNotice other = verify(stripe.event("payment_intent.succeeded", lapsed));
    assertThat(other.type()).isEqualTo("payment_intent.succeeded");
    assertThat(other.payment()).isNull();
  }

  @Test
  @DisplayName("an event of another API version, with its payment intent expanded, is read the same")
  void webhookOtherApiVersion() {
    UUID paymentId = UUID.randomUUID();
    String id = open(paymentId).sessionId();
    String paymentIntent = stripe.pay(id).getString("payment_intent");
    JsonObject session = stripe.session(id)
        .put("payment_intent", new JsonObject().put("id", paymentIntent).put("object", "payment_intent"))
        .put("some_field_of_the_future", new JsonObject().put("x", 1));
    String payload = new JsonObject()
        .put("id", "evt_old_version")
        .put("object", "event")
        .put("api_version", "2020-08-27")
        .put("created", Instant.now().getEpochSecond())
        .put("type", "checkout.session.completed")
        .put("data", new JsonObject().put("object", session))
        .encode();
    WebhookNotice notice = provider.verifyWebhook(
        Buffer.buffer(payload), headers(stripe.sign(payload, Instant.now().getEpochSecond())));
    assertThat(notice.payment()).isEqualTo(new ProviderPayment(id, paymentId, Outcome.PAID, 9_000, "EUR", paymentIntent));
  }

  @Test
  @DisplayName("calls made from an event loop run on the onsale-stripe worker pool")
  void neverOnEventLoop() {
    Context context = vertx.getOrCreateContext();
    UUID paymentId = UUID.randomUUID();
    CheckoutSession session = awaitOn(context, () -> provider.openSession(request(paymentId)));
    stripe.pay(session.sessionId());
    assertThat(awaitOn(context, () -> provider.fetch(session.sessionId())).outcome()).isEqualTo(Outcome.PAID);
    awaitOn(context, () -> provider.refund(new RefundRequest(
        paymentId, session.sessionId(), null, 9_000, "EUR", RefundRequest.keyFor(paymentId))));
    assertThat(callThreads).hasSizeGreaterThanOrEqualTo(4)
        .allSatisfy(name -> assertThat(name).startsWith("onsale-stripe").doesNotContain("event loop"));
  }

  @Test
  @DisplayName("production refuses test keys, a missing key or webhook secret, and a plain-HTTP API base")
  void productionSettings() {
    Map<String, String> live = Map.of(
        "ONSALE_ENV", "production",
        "ONSALE_STRIPE_SECRET_KEY", "sk_live_0123456789",
        "ONSALE_STRIPE_WEBHOOK_SECRET", "whsec_0123456789");
    OnsaleConfig production = OnsaleConfig.fromMap(live);
    StripeSettings settings = StripeSettings.from(production);
    assertThat(settings.apiBase()).isEqualTo("https://api.stripe.com");
    assertThat(settings.timeoutMs()).isEqualTo(5_000);
    assertThat(settings.toString()).doesNotContain("sk_live_").doesNotContain("whsec_");

    assertThatThrownBy(() -> StripeSettings.from(production.with(Map.of("ONSALE_STRIPE_SECRET_KEY", "sk_test_0123"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sk_test_");
    assertThatThrownBy(() -> StripeProvider.create(vertx, production.with(Map.of("ONSALE_STRIPE_SECRET_KEY", "sk_test_0123"))))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> StripeSettings.from(production.with(Map.of("ONSALE_STRIPE_SECRET_KEY", ""))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ONSALE_STRIPE_SECRET_KEY");
    assertThatThrownBy(() -> StripeSettings.from(production.with(Map.of("ONSALE_STRIPE_WEBHOOK_SECRET", " "))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ONSALE_STRIPE_WEBHOOK_SECRET");
    assertThatThrownBy(() -> StripeSettings.from(production.with(Map.of("ONSALE_STRIPE_API_BASE", "http://127.0.0.1:1"))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("https://");

    OnsaleConfig development = OnsaleConfig.fromMap(stripe.settings());
    StripeSettings dev = StripeSettings.from(development);
    assertThat(dev.secretKey()).startsWith("sk_test_");
    assertThat(dev.apiBase()).isEqualTo(stripe.apiBase());
  }
}
