package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestHttp.Answer;
import dev.onsale.sale.payment.PaymentService;
import dev.onsale.sale.payment.Payments;
import dev.onsale.sale.payment.ProviderPayment;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Paying for tickets with the test provider: the rules of DESIGN.md's "Paying for tickets", one by one. */
class PaymentFlowTest {

  static SaleServer server;
  static PaymentService payments;

  @BeforeAll
  static void start() {
    server = SaleServer.start(Map.of("ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS", "6"));
    // Every answer this suite gets must be one the OpenAPI document promises.
    server.http.checkedAgainst(ApiContract.fromClasspath());
    payments = Payments.service(server.services);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void invariantsHold() {
    JsonObject report = server.http.get("/api/v1/admin/invariants", server.admin()).json();
    assertThat(report.getBoolean("ok")).as(report.encodePrettily()).isTrue();
  }

  private record Placed(long eventId, long categoryId, JsonObject order) {
    String code() {
      return order.getString("code");
    }

    String secret() {
      return order.getString("secret");
    }

    UUID paymentId() {
      return UUID.fromString(order.getJsonObject("payment").getString("id"));
    }
  }

  private static Placed orderOn(String slug, int capacity, int quantity) {
    JsonObject event = server.createEvent(TestEvents.onSale(slug, capacity));
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    return new Placed(eventId, categoryId, order(eventId, categoryId, quantity, "Ada Lovelace"));
  }

  private static JsonObject order(long eventId, long categoryId, int quantity, String buyer) {
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, quantity), Map.of());
    assertThat(hold.status()).as(hold.raw().toString()).isEqualTo(201);
    Answer order = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer(buyer), Map.of());
    assertThat(order.status()).as(order.raw().toString()).isEqualTo(201);
    return order.json();
  }

  private static JsonObject view(Placed placed) {
    return server.http.get("/api/v1/orders/" + placed.code() + "?secret=" + placed.secret()).json();
  }

  private static String decide(UUID paymentId, boolean pay) {
    server.http.get(PaymentService.payUrl(paymentId));
    Answer answer = server.http.post("/api/v1/payments/test/" + paymentId + (pay ? "/succeed" : "/fail"), new JsonObject(), Map.of());
    assertThat(answer.status()).as(answer.raw().toString()).isEqualTo(200);
    return answer.json().getString("result");
  }

  /** What the provider's own record of the payment's session says. */
  private static ProviderPayment.Outcome providerSays(UUID paymentId) {
    return await(payments.provider().fetch(paymentId.toString())).outcome();
  }

  private static long count(String sql, Object... params) {
    return server.sql(sql, params).iterator().next().getLong(0);
  }

  @Test
  @DisplayName("a priced order is pending with its total and window, its tickets kept apart from held and sold, and paid by the buyer's payment")
  void pendingThenPaid() {
    Placed placed = orderOn("pay-basic", 5, 2);
    assertThat(placed.order().getString("status")).isEqualTo("pending");
    assertThat(placed.order().getJsonObject("total")).isEqualTo(new JsonObject().put("amountCents", 2000).put("currency", "EUR"));
    assertThat(placed.order().getJsonObject("payment").getString("url")).startsWith("/pay/");
    assertThat(placed.order().getJsonObject("payment").getString("expiresAt")).isNotBlank();
    JsonObject stats = server.stats(placed.eventId());
    assertThat(stats.getLong("pending")).isEqualTo(2);
    assertThat(stats.getLong("held")).isZero();
    assertThat(stats.getLong("sold")).isZero();
    assertThat(stats.getLong("available")).isEqualTo(3);
    assertThat(stats.getString("nextReleaseAt")).isNotNull();
    assertThat(view(placed).getJsonArray("lines").getJsonObject(0).getLong("unitCents")).isEqualTo(1000);

    assertThat(decide(placed.paymentId(), true)).isEqualTo("paid");

    JsonObject order = view(placed);
    assertThat(order.getString("status")).isEqualTo("paid");
    assertThat(order.getJsonArray("tickets")).hasSize(2);
    assertThat(server.stats(placed.eventId()).getLong("sold")).isEqualTo(2);
    assertThat(server.stats(placed.eventId()).getLong("pending")).isZero();
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'order.paid' AND payload->>'orderCode' = $1", placed.code())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'order.confirmation' AND payload->>'orderCode' = $1", placed.code())).isEqualTo(1);
  }

  @Test
  @DisplayName("a free order is paid at once, with no payment")
  void freeOrderIsPaid() {
    JsonObject event = server.createEvent(TestEvents.free(TestEvents.onSale("pay-free", 3)));
    JsonObject order = order(event.getLong("id"), event.getJsonArray("categories").getJsonObject(0).getLong("id"), 1, "Free Rider");
    assertThat(order.getString("status")).isEqualTo("paid");
    assertThat(order.getValue("payment")).isNull();
  }

  @Test
  @DisplayName("no mail and no PDFs while an order waits for its payment")
  void nothingMadeBeforePayment() {
    Placed placed = orderOn("pay-nothing-yet", 3, 1);
    assertThat(count("SELECT count(*) FROM outbox WHERE payload->>'orderCode' = $1 AND queue IN ('tickets', 'mail')", placed.code()))
        .isZero();
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'order.created' AND payload->>'orderCode' = $1 AND payload->>'status' = 'pending'",
        placed.code())).isEqualTo(1);
  }

  @Test
  @DisplayName("past its window and grace a pending order reads expired at once, and its tickets are on sale again with no sweeper")
  void expiresWithoutSweeper() {
    Placed placed = orderOn("pay-expiry", 2, 2);
    server.endPaymentWindow(placed.code(), true);
    assertThat(view(placed).getString("status")).as("inside the grace").isEqualTo("pending");
    assertThat(server.stats(placed.eventId()).getLong("available")).isZero();

    server.endPaymentWindow(placed.code(), false);
    assertThat(view(placed).getString("status")).isEqualTo("expired");
    assertThat(count("SELECT count(*) FROM orders WHERE code = $1 AND status = 'pending'", placed.code()))
        .as("the row itself is not rewritten yet").isEqualTo(1);
    Answer again = server.http.post("/api/v1/events/" + placed.eventId() + "/reservations",
        TestEvents.items(placed.categoryId(), 2), Map.of());
    assertThat(again.status()).isEqualTo(201);
    server.http.delete(Holds.releasePath(again.json()), Map.of());
  }

  @Test
  @DisplayName("a payment inside the grace completes the order by compare-and-set")
  void paidInsideGrace() {
    Placed placed = orderOn("pay-grace", 2, 1);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    server.endPaymentWindow(placed.code(), true);
    assertThat(decide(placed.paymentId(), true)).isEqualTo("paid");
  }

  @Test
  @DisplayName("a late payment is completed when its tickets can still be had, at the kept prices")
  void lateCompleted() {
    Placed placed = orderOn("pay-late-ok", 3, 2);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    server.endPaymentWindow(placed.code(), false);
    server.sql("UPDATE categories SET price_cents = 99999 WHERE id = $1", placed.categoryId());

    assertThat(decide(placed.paymentId(), true)).isEqualTo("late_completed");
    JsonObject order = view(placed);
    assertThat(order.getString("status")).isEqualTo("paid");
    assertThat(order.getJsonObject("total").getLong("amountCents")).isEqualTo(2000);
    assertThat(order.getJsonArray("tickets")).hasSize(2);
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'order.late_paid' AND payload->>'orderCode' = $1", placed.code())).isEqualTo(1);
  }

  @Test
  @DisplayName("a late payment that finds its tickets sold is refunded in full, and the buyer is told")
  void lateRefunded() {
    Placed placed = orderOn("pay-late-gone", 2, 2);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    server.endPaymentWindow(placed.code(), false);
    order(placed.eventId(), placed.categoryId(), 1, "Someone Else");

    assertThat(decide(placed.paymentId(), true)).as("one ticket of two is gone: never part of an order").isEqualTo("late_refunded");
    assertThat(view(placed).getString("status")).isEqualTo("expired");
    assertThat(count("SELECT count(*) FROM payments WHERE id = $1 AND status = 'refund_pending'", placed.paymentId())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'payment.refund' AND payload->>'paymentId' = $1",
        placed.paymentId().toString())).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'order.late_refunded' AND payload->>'orderCode' = $1", placed.code())).isEqualTo(1);
    assertThat(count("""
        SELECT count(*) FROM tickets WHERE order_id = (SELECT id FROM orders WHERE code = $1)
           AND (status = 'sold' OR held_until >= now())""", placed.code())).as("no ticket sold or kept for it").isZero();

    assertThat(await(payments.refund(placed.paymentId()))).isEqualTo("refunded");
    assertThat(view(placed).getString("status")).isEqualTo("refunded");
  }

  @Test
  @DisplayName("a late payment while the sale is paused is refunded, even with tickets free")
  void lateWhilePausedRefunded() {
    Placed placed = orderOn("pay-late-paused", 3, 1);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    server.endPaymentWindow(placed.code(), false);
    server.http.patch("/api/v1/admin/events/" + placed.eventId(), new JsonObject().put("paused", true), server.admin());
    assertThat(decide(placed.paymentId(), true)).isEqualTo("late_refunded");
  }

  @Test
  @DisplayName("two tabs paying the same order at once: one charge, the order paid once")
  void twoTabsPayOnce() {
    Placed placed = orderOn("pay-two-tabs", 2, 1);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    List<Future<Answer>> tabs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      tabs.add(server.http.sendJson(HttpMethod.POST, "/api/v1/payments/test/" + placed.paymentId() + "/succeed",
          new JsonObject(), Map.of()));
    }
    await(Future.join(tabs));
    List<Integer> statuses = tabs.stream().map(f -> f.result().status()).sorted().toList();
    assertThat(statuses).containsExactly(200, 409);
    Answer paid = tabs.stream().map(Future::result).filter(a -> a.status() == 200).findFirst().orElseThrow();
    assertThat(paid.json().getString("orderUrl")).as("the pay page's link back to the order")
        .endsWith("/orders/" + placed.code() + "?secret=" + placed.secret());
    assertThat(view(placed).getString("status")).isEqualTo("paid");
    assertThat(providerSays(placed.paymentId())).as("the provider took the money once").isEqualTo(ProviderPayment.Outcome.PAID);
  }

  @Test
  @DisplayName("after a decline a new attempt ends the old one first, and only the new one can be paid")
  void declineThenRetry() {
    Placed placed = orderOn("pay-retry", 2, 1);
    assertThat(decide(placed.paymentId(), false)).isEqualTo("failed");
    JsonObject declined = view(placed);
    assertThat(declined.getString("status")).isEqualTo("pending");
    assertThat(declined.getBoolean("canRetryPayment")).isTrue();

    Answer attempt = server.http.post("/api/v1/orders/" + placed.code() + "/payment?secret=" + placed.secret(),
        new JsonObject(), Map.of());
    assertThat(attempt.status()).isEqualTo(201);
    assertThat(attempt.headers().get("Cache-Control")).isEqualTo("no-store");
    UUID second = UUID.fromString(attempt.json().getString("id"));
    assertThat(second).isNotEqualTo(placed.paymentId());
    assertThat(decide(second, true)).isEqualTo("paid");

    Answer late = server.http.post("/api/v1/orders/" + placed.code() + "/payment?secret=" + placed.secret(),
        new JsonObject(), Map.of());
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.error()).isEqualTo("order_not_pending");
  }

  @Test
  @DisplayName("a payment for a cancelled order is refunded by itself (duplicate_refunded)")
  void paymentOnCancelledOrderRefunded() {
    Placed placed = orderOn("pay-cancelled", 2, 1);
    server.http.get(PaymentService.payUrl(placed.paymentId()));
    assertThat(server.http.post("/api/v1/admin/orders/" + placed.code() + "/cancel", new JsonObject(), server.admin()).status())
        .isEqualTo(200);
    assertThat(server.stats(placed.eventId()).getLong("available")).isEqualTo(2);
    // The buyer's tab was still open at the provider: the expiry job had not run yet.
    assertThat(decide(placed.paymentId(), true)).isEqualTo("duplicate_refunded");
    assertThat(view(placed).getString("status")).isEqualTo("cancelled");
    assertThat(count("SELECT count(*) FROM payments WHERE id = $1 AND status = 'refund_pending'", placed.paymentId())).isEqualTo(1);
  }

  @Test
  @DisplayName("a refund that failed is shown to the organizer, listed by status, and can be retried")
  void failedRefundSeenByOrganizer() {
    Placed placed = orderOn("pay-refund-failed", 2, 1);
    assertThat(decide(placed.paymentId(), true)).isEqualTo("paid");
    assertThat(server.http.post("/api/v1/admin/orders/" + placed.code() + "/cancel", new JsonObject(), server.admin()).status())
        .isEqualTo(200);
    // What the payments worker does after the refund's last failed try.
    assertThat(await(payments.refundFailed(placed.paymentId(), "provider said no"))).isEqualTo("refund_failed");

    assertThat(view(placed).getString("status")).isEqualTo("refund_failed");
    assertThat(server.stats(placed.eventId()).getLong("refundTroubleOrders")).isEqualTo(1);
    Answer listed = server.http.get("/api/v1/admin/events/" + placed.eventId() + "/orders?status=refund_failed", server.admin());
    assertThat(listed.json().getJsonArray("orders")).hasSize(1);
    assertThat(listed.json().getJsonArray("orders").getJsonObject(0).getString("code")).isEqualTo(placed.code());
    assertThat(server.http.get("/api/v1/admin/events/" + placed.eventId() + "/orders?status=nonsense", server.admin()).status())
        .isEqualTo(400);

    Answer retry = server.http.post("/api/v1/admin/orders/" + placed.code() + "/refund-retry", new JsonObject(), server.admin());
    assertThat(retry.status()).isEqualTo(202);
    assertThat(count("SELECT count(*) FROM outbox WHERE type = 'payment.refund' AND payload->>'paymentId' = $1",
        placed.paymentId().toString())).isEqualTo(2);
    assertThat(await(payments.refund(placed.paymentId()))).isEqualTo("refunded");
    assertThat(view(placed).getString("status")).isEqualTo("refunded");
    assertThat(server.stats(placed.eventId()).getLong("refundTroubleOrders")).isZero();
  }

  @Test
  @DisplayName("a second success for a paid order is refunded; a replayed report changes nothing")
  void secondSuccessRefunded() {
    Placed placed = orderOn("pay-second", 2, 1);
    assertThat(decide(placed.paymentId(), true)).isEqualTo("paid");
    UUID other = UUID.randomUUID();
    server.sql("""
        INSERT INTO payments (id, order_id, event_id, provider, amount_cents, currency, window_ends_at, status)
        SELECT $1, o.id, o.event_id, 'test', o.total_cents, o.currency, o.payment_expires_at, 'open' FROM orders o WHERE o.code = $2""",
        other, placed.code());
    ProviderPayment paid = new ProviderPayment(other.toString(), other, ProviderPayment.Outcome.PAID, 1000, "EUR", "ch_2");
    assertThat(await(payments.settle(other, paid)).result()).isEqualTo("duplicate_refunded");
    assertThat(await(payments.settle(other, paid)).result()).isEqualTo("unchanged");
    ProviderPayment first = new ProviderPayment(placed.paymentId().toString(), placed.paymentId(), ProviderPayment.Outcome.PAID,
        1000, "EUR", "ch_1");
    assertThat(await(payments.settle(placed.paymentId(), first)).result()).isEqualTo("unchanged");
    ProviderPayment backwards = new ProviderPayment(placed.paymentId().toString(), placed.paymentId(),
        ProviderPayment.Outcome.EXPIRED, 0, "EUR", null);
    assertThat(await(payments.settle(placed.paymentId(), backwards)).result()).as("state only moves forward").isEqualTo("unchanged");
    assertThat(view(placed).getString("status")).isEqualTo("paid");
  }

  @Test
  @DisplayName("a confirmed amount or currency that differs from the order's is refunded")
  void mismatchRefunded() {
    Placed placed = orderOn("pay-mismatch", 2, 1);
    ProviderPayment wrong = new ProviderPayment("s", placed.paymentId(), ProviderPayment.Outcome.PAID, 999, "EUR", "ch");
    assertThat(await(payments.settle(placed.paymentId(), wrong)).result()).isEqualTo("mismatch_refunded");
    assertThat(view(placed).getString("status")).isEqualTo("pending");
    assertThat(count("SELECT count(*) FROM payments WHERE id = $1 AND status = 'refund_pending'", placed.paymentId())).isEqualTo(1);
  }

  @Test
  @DisplayName("reconciliation settles a payment no webhook told us about, then the window's session is ended")
  void reconciliationWithoutWebhook() {
    Placed paid = orderOn("pay-reconcile", 3, 1);
    server.http.get(PaymentService.payUrl(paid.paymentId()));
    await(((dev.onsale.sale.payment.TestProvider) payments.provider()).decide(paid.paymentId(), true));
    assertThat(view(paid).getString("status")).as("nobody told Onsale").isEqualTo("pending");
    server.endPaymentWindow(paid.code(), true);
    assertThat(await(payments.reconcile(paid.paymentId())).result()).isEqualTo("paid");

    JsonObject other = order(paid.eventId(), paid.categoryId(), 1, "Walked Away");
    UUID abandoned = UUID.fromString(other.getJsonObject("payment").getString("id"));
    server.http.get(PaymentService.payUrl(abandoned));
    server.endPaymentWindow(other.getString("code"), true);
    assertThat(await(payments.reconcile(abandoned)).result()).isEqualTo("expired");
    assertThat(providerSays(abandoned)).as("the provider's session can no longer be paid")
        .isEqualTo(ProviderPayment.Outcome.EXPIRED);
  }

  @Test
  @DisplayName("queueing reconciliation: each ended window once, on the payments stream's outbox")
  void windowsQueuedOnce() {
    Placed placed = orderOn("pay-queue", 2, 1);
    server.endPaymentWindow(placed.code(), true);
    assertThat(await(payments.queueDueReconciliations(100))).isGreaterThanOrEqualTo(1);
    assertThat(await(payments.queueDueReconciliations(100))).isZero();
    assertThat(count("SELECT count(*) FROM outbox WHERE queue = 'payments' AND type = 'payment.reconcile' AND payload->>'paymentId' = $1",
        placed.paymentId().toString())).isEqualTo(1);
  }

  @Test
  @DisplayName("ordering ends the admission: reserving again with it is 409 admission_used")
  void admissionEndsAtOrdering() {
    JsonObject event = server.createEvent(TestEvents.onSale("pay-admission", 10).put("waitingRoom", "on"));
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    Map<String, String> auth = server.admit(eventId, 3);
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 1), auth);
    assertThat(hold.status()).isEqualTo(201);
    assertThat(server.http.post(Holds.orderPath(hold.json()), TestEvents.buyer("Once"), auth)
        .status()).isEqualTo(201);
    for (int i = 0; i < 2; i++) {
      Answer again = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 1), auth);
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.error()).isEqualTo("admission_used");
    }
    Answer several = server.http.post("/api/v1/events/" + eventId + "/reservations", new JsonObject().put("items",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", 1))), auth);
    assertThat(several.error()).isEqualTo("admission_used");
  }

  @Test
  @DisplayName("with the waiting room off, one address keeps at most the set number of tickets in pending orders")
  void pendingCapPerAddress() {
    JsonObject event = server.createEvent(TestEvents.onSale("pay-cap", 20));
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    order(eventId, categoryId, 4, "First");
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 3), Map.of());
    Answer refused = server.http.post(Holds.orderPath(hold.json()), TestEvents.buyer("Greedy"), Map.of());
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.error()).isEqualTo("too_many_pending");
    assertThat(refused.headers().get("Retry-After")).isNotNull();
    assertThat(server.stats(eventId).getLong("pending")).isEqualTo(4);
  }

  @Test
  @DisplayName("the manual provider's mark-paid settles like any confirmed payment")
  void markPaid() {
    Placed placed = orderOn("pay-manual", 2, 1);
    Answer marked = server.http.post("/api/v1/admin/orders/" + placed.code() + "/mark-paid", new JsonObject(), server.admin());
    assertThat(marked.status()).isEqualTo(200);
    assertThat(marked.json().getString("result")).isEqualTo("paid");
    assertThat(server.http.post("/api/v1/admin/orders/" + placed.code() + "/mark-paid", new JsonObject(), server.admin())
        .json().getString("result")).isEqualTo("unchanged");
  }

  @Test
  @DisplayName("bad input on every payment endpoint is a 4xx JSON error and changes nothing")
  void badInput() {
    Placed placed = orderOn("pay-bad", 2, 1);
    long before = count("SELECT count(*) FROM payments");
    assertThat(server.http.get("/pay/not-a-uuid").status()).isEqualTo(404);
    assertThat(server.http.get("/pay/" + UUID.randomUUID()).status()).isEqualTo(404);
    assertThat(server.http.post("/api/v1/payments/test/" + UUID.randomUUID() + "/succeed", new JsonObject(), Map.of()).status())
        .isEqualTo(404);
    assertThat(server.http.post("/api/v1/payments/test/x/fail", new JsonObject(), Map.of()).status()).isEqualTo(404);
    Answer unopened = server.http.post("/api/v1/payments/test/" + placed.paymentId() + "/succeed", new JsonObject(), Map.of());
    assertThat(unopened.status()).as("a session the buyer never opened").isEqualTo(409);
    assertThat(server.http.post("/api/v1/payments/stripe/webhook", new JsonObject(), Map.of()).status()).isEqualTo(404);
    assertThat(server.http.post("/api/v1/payments/test/webhook", new JsonObject(), Map.of()).status()).isEqualTo(400);
    assertThat(server.http.post("/api/v1/orders/" + placed.code() + "/payment?secret=wrong", new JsonObject(), Map.of()).status())
        .isEqualTo(404);
    assertThat(server.http.post("/api/v1/admin/orders/" + placed.code() + "/refund-retry", new JsonObject(), server.admin()).status())
        .isEqualTo(409);
    assertThat(server.http.post("/api/v1/admin/orders/NOPE/mark-paid", new JsonObject(), server.admin()).status()).isEqualTo(404);
    assertThat(server.http.post("/api/v1/admin/orders/" + placed.code() + "/mark-paid", new JsonObject(), Map.of()).status())
        .isEqualTo(401);
    JsonObject tooShort = TestEvents.onSale("pay-bad-window", 1).put("paymentSeconds", 10);
    Answer refused = server.http.post("/api/v1/admin/events", tooShort, server.admin());
    assertThat(refused.status()).isEqualTo(400);
    assertThat(server.http.post("/api/v1/admin/events", TestEvents.onSale("pay-bad-grace", 1).put("paymentGraceSeconds", 4000),
        server.admin()).status()).isEqualTo(400);
    assertThat(server.http.post("/api/v1/admin/events", TestEvents.onSale("pay-bad-zone", 1).put("timeZone", "Mars/Olympus"),
        server.admin()).status()).isEqualTo(400);
    assertThat(count("SELECT count(*) FROM payments")).isEqualTo(before);
    assertThat(view(placed).getString("status")).isEqualTo("pending");
  }
}
