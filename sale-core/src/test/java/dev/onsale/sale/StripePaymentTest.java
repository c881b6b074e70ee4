package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestHttp.Answer;
import dev.onsale.sale.payment.PaymentService;
import dev.onsale.sale.payment.Payments;
import dev.onsale.sale.payment.StripeDouble;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Paying through Stripe's Checkout with the official SDK, against a local double of Stripe's API;
 * webhooks signed with Stripe's scheme and posted as Stripe would.
 */
class StripePaymentTest {

  static StripeDouble stripe;
  static SaleServer server;
  static PaymentService payments;

  @BeforeAll
  static void start() {
    stripe = StripeDouble.start();
    server = SaleServer.start(stripe.settings());
    payments = Payments.service(server.services);
  }

  @AfterAll
  static void stop() {
    server.close();
    stripe.close();
  }

  @AfterEach
  void invariantsHold() {
    JsonObject report = server.http.get("/api/v1/admin/invariants", server.admin()).json();
    assertThat(report.getBoolean("ok")).as(report.encodePrettily()).isTrue();
  }

  private record Order(long eventId, long categoryId, String code, String secret, UUID paymentId) {}

  private static Order order(String slug, int capacity, int quantity) {
    JsonObject event = server.createEvent(TestEvents.onSale(slug, capacity));
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    return order(eventId, categoryId, quantity);
  }

  private static Order order(long eventId, long categoryId, int quantity) {
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, quantity), Map.of());
    Answer placed = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer("Card Holder"), Map.of());
    assertThat(placed.status()).as(placed.raw().toString()).isEqualTo(201);
    JsonObject body = placed.json();
    return new Order(eventId, categoryId, body.getString("code"), body.getString("secret"),
        UUID.fromString(body.getJsonObject("payment").getString("id")));
  }

  /** Opens payment.url as the buyer's browser would, and answers the Checkout Session's id. */
  private static String openCheckout(Order order) {
    // The test client follows the 303 to the double's checkout page, which it cannot render: what
    // matters is the session Onsale opened.
    server.http.raw(HttpMethod.GET, PaymentService.payUrl(order.paymentId()), null, Map.of());
    return stripe.sessionOf(order.paymentId()).orElseThrow().getString("id");
  }

  private static Answer deliver(StripeDouble.SignedEvent event) {
    return server.http.raw(HttpMethod.POST, "/api/v1/payments/stripe/webhook", Buffer.buffer(event.payload()), event.headers());
  }

  private static String status(Order order) {
    return server.http.get("/api/v1/orders/" + order.code() + "?secret=" + order.secret()).json().getString("status");
  }

  @Test
  @DisplayName("Checkout Session with the payment's id as reference; paid on checkout.session.completed; a replay changes nothing")
  void paidByWebhook() {
    Order order = order("stripe-paid", 3, 2);
    String session = openCheckout(order);
    JsonObject created = stripe.session(session);
    assertThat(created.getString("client_reference_id")).isEqualTo(order.paymentId().toString());
    assertThat(created.getLong("amount_total")).isEqualTo(2000);
    String key = "onsale:" + order.paymentId() + ":create";
    assertThat(stripe.requests(StripeDouble.CREATE_SESSION).stream().filter(r -> key.equals(r.idempotencyKey()))).hasSize(1);
    openCheckout(order);
    assertThat(stripe.requests(StripeDouble.CREATE_SESSION).stream().filter(r -> key.equals(r.idempotencyKey())))
        .as("a second open resumes the same session").hasSize(1);

    stripe.pay(session);
    StripeDouble.SignedEvent completed = stripe.event("checkout.session.completed", session);
    Answer first = deliver(completed);
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().getString("result")).isEqualTo("paid");
    assertThat(status(order)).isEqualTo("paid");
    Answer replay = deliver(completed);
    assertThat(replay.status()).isEqualTo(200);
    assertThat(replay.json().getString("result")).isEqualTo("replayed");
    assertThat(deliver(stripe.event("checkout.session.expired", session)).json().getString("result"))
        .as("an older state arriving late").isIn("unchanged", "replayed");
    assertThat(status(order)).isEqualTo("paid");
  }

  @Test
  @DisplayName("completed but unpaid is not paid; async_payment_succeeded then pays")
  void asyncPayment() {
    Order order = order("stripe-async", 2, 1);
    String session = openCheckout(order);
    stripe.completeUnpaid(session);
    assertThat(deliver(stripe.event("checkout.session.completed", session)).json().getString("result")).isEqualTo("processing");
    assertThat(status(order)).isEqualTo("pending");
    stripe.asyncSucceeded(session);
    assertThat(deliver(stripe.event("checkout.session.async_payment_succeeded", session)).json().getString("result")).isEqualTo("paid");
  }

  @Test
  @DisplayName("a forged signature is refused with 400, counted, and changes nothing")
  void forgedSignature() {
    Order order = order("stripe-forged", 2, 1);
    String session = openCheckout(order);
    stripe.pay(session);
    StripeDouble.SignedEvent real = stripe.event("checkout.session.completed", session);
    long now = Instant.now().getEpochSecond();
    Map<String, String> forged = new HashMap<>();
    forged.put("Stripe-Signature", "t=" + now + ",v1=" + StripeDouble.sign(real.payload(), now, "whsec_not_the_secret"));
    forged.put("Content-Type", "application/json");
    Answer refused = server.http.raw(HttpMethod.POST, "/api/v1/payments/stripe/webhook", Buffer.buffer(real.payload()), forged);
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.error()).isEqualTo("bad_signature");
    Answer tampered = server.http.raw(HttpMethod.POST, "/api/v1/payments/stripe/webhook",
        Buffer.buffer(real.payload().replace("\"paid\"", "\"PAID\"")), real.headers());
    assertThat(tampered.status()).isEqualTo(400);
    assertThat(status(order)).isEqualTo("pending");
    Counter rejected = server.services.meters().find("onsale.payments.webhook.rejected").counter();
    assertThat(rejected).isNotNull();
    assertThat(rejected.count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a signed notification for a payment Onsale does not know yet gets 503, so Stripe retries")
  void unknownPayment() {
    Order order = order("stripe-unknown", 2, 1);
    String session = openCheckout(order);
    stripe.pay(session);
    StripeDouble.SignedEvent event = stripe.event("checkout.session.completed", session);
    String payload = event.payload().replace(order.paymentId().toString(), UUID.randomUUID().toString());
    long now = Instant.now().getEpochSecond();
    Map<String, String> headers = Map.of("Stripe-Signature", "t=" + now + ",v1=" + stripe.sign(payload, now),
        "Content-Type", "application/json");
    Answer answer = server.http.raw(HttpMethod.POST, "/api/v1/payments/stripe/webhook", Buffer.buffer(payload), headers);
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.headers().get("Retry-After")).isNotNull();
  }

  @Test
  @DisplayName("every webhook lost: reconciliation at the window's end settles paid and abandoned payments alike, and expires the session")
  void everyWebhookLost() {
    Order paid = order("stripe-lost", 3, 1);
    stripe.pay(openCheckout(paid));
    Order abandoned = order(paid.eventId(), paid.categoryId(), 1);
    String abandonedSession = openCheckout(abandoned);

    server.endPaymentWindow(paid.code(), true);
    server.endPaymentWindow(abandoned.code(), true);
    assertThat(await(payments.reconcile(paid.paymentId())).result()).isEqualTo("paid");
    assertThat(await(payments.reconcile(abandoned.paymentId())).result()).isEqualTo("expired");
    assertThat(status(paid)).isEqualTo("paid");
    assertThat(stripe.session(abandonedSession).getString("status")).isEqualTo("expired");
    assertThat(stripe.count(StripeDouble.EXPIRE_SESSION)).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("a late payment that finds no tickets is refunded with an idempotency key from Onsale's id; already refunded counts as done")
  void lateRefund() {
    Order order = order("stripe-late", 1, 1);
    String session = openCheckout(order);
    server.endPaymentWindow(order.code(), false);
    order(order.eventId(), order.categoryId(), 1);
    stripe.pay(session);
    assertThat(deliver(stripe.event("checkout.session.completed", session)).json().getString("result")).isEqualTo("late_refunded");
    assertThat(await(payments.refund(order.paymentId()))).isEqualTo("refunded");
    assertThat(stripe.requests(StripeDouble.CREATE_REFUND).stream()
        .filter(r -> ("onsale:" + order.paymentId() + ":refund").equals(r.idempotencyKey()))).isNotEmpty();
    assertThat(status(order)).isEqualTo("refunded");
  }

  @Test
  @DisplayName("a 429 from Stripe while opening checkout answers 503 to the page, and a retry opens one session")
  void rateLimitedByStripe() {
    Order order = order("stripe-429", 2, 1);
    stripe.failNext(StripeDouble.CREATE_SESSION, 1, 429);
    Answer busy = server.http.raw(HttpMethod.GET, PaymentService.payUrl(order.paymentId()), null, Map.of());
    assertThat(busy.status()).isEqualTo(503);
    openCheckout(order);
    assertThat(stripe.sessions().stream().filter(s -> order.paymentId().toString().equals(s.getString("client_reference_id"))))
        .hasSize(1);
  }
}
