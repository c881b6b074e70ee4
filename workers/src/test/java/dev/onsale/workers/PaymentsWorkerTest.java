package dev.onsale.workers;

import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.sale.payment.PaymentService;
import dev.onsale.sale.payment.Payments;
import dev.onsale.sale.payment.ProviderPayment;
import dev.onsale.sale.payment.TestProvider;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The payments queue with every worker running and no webhook at all (the test provider's page
 * does not notify): windows that end are reconciled, refunds are made, and a refund that fails
 * its last try is left visible as refund_failed until retried.
 */
class PaymentsWorkerTest {

  private GreenMail smtp;
  private WorkerFixture fx;
  private PaymentService payments;
  private long eventId;
  private long categoryId;

  @BeforeEach
  void start() {
    fx = WorkerFixture.withSmtp(Map.of(
        "ONSALE_ROLES", "workers",
        "ONSALE_TEST_PROVIDER_NOTIFY", "false",
        "ONSALE_QUEUE_PAYMENTS_MAX_ATTEMPTS", "3",
        "ONSALE_QUEUE_PAYMENTS_BACKOFF_MS", "100",
        "ONSALE_QUEUE_PAYMENTS_BACKOFF_MAX_SECONDS", "1"));
    smtp = fx.smtp;
    payments = Payments.service(fx.services);
    eventId = fx.createEvent("Paid Concert", "Standing");
    categoryId = fx.categoryId(eventId, "Standing");
    fx.sql("INSERT INTO tickets (event_id, category_id) SELECT $1, $2 FROM generate_series(1, 1000)", Tuple.of(eventId, categoryId));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  /** A hold of {@code quantity} tickets turned into a pending order, as the shop's two calls do it. */
  private String[] placeOrder(int quantity) {
    UUID reservation = UUID.randomUUID();
    UUID payment = UUID.randomUUID();
    String code = "PW" + UUID.randomUUID().toString().replace("-", "").substring(0, 8).toUpperCase();
    fx.sql("SELECT * FROM reserve_tickets($1, $2, NULL, 300, $3, $4)",
        Tuple.of(eventId, reservation, new Long[] {categoryId}, new Integer[] {quantity}));
    fx.sql("SELECT * FROM place_order($1, $2, 'secret-" + code + "', 'Bea Buyer', 'bea@example.org', $3, 'test', NULL, 20)",
        Tuple.of(reservation, code, payment));
    return new String[] {code, payment.toString()};
  }

  private String orderStatus(String code) {
    return fx.one("SELECT order_status_now(status, keep_until) FROM orders WHERE code = $1", Tuple.of(code)).getString(0);
  }

  private String paymentStatus(String paymentId) {
    return fx.one("SELECT status FROM payments WHERE id = $1", Tuple.of(UUID.fromString(paymentId))).getString(0);
  }

  private void endWindow(String code) {
    fx.sql("UPDATE payments SET window_ends_at = now() WHERE order_id = (SELECT id FROM orders WHERE code = $1)", Tuple.of(code));
  }

  @Test
  @DisplayName("with every webhook lost, the worker reconciles each ended window: paid is paid, abandoned is expired")
  void reconcilesEveryWindow() {
    String[] paid = placeOrder(2);
    String[] abandoned = placeOrder(1);
    UUID paidId = UUID.fromString(paid[1]);
    await(payments.checkoutUrl(paidId));
    await(payments.checkoutUrl(UUID.fromString(abandoned[1])));
    await(((TestProvider) payments.provider()).decide(paidId, true));
    assertThat(orderStatus(paid[0])).isEqualTo("pending");

    endWindow(paid[0]);
    endWindow(abandoned[0]);
    eventually(Duration.ofSeconds(30), "the paid order settled by reconciliation", () -> "paid".equals(orderStatus(paid[0])));
    eventually(Duration.ofSeconds(30), "the abandoned payment expired", () -> "expired".equals(paymentStatus(abandoned[1])));
    assertThat(await(payments.provider().fetch(abandoned[1])).outcome()).as("the provider's session ended")
        .isEqualTo(ProviderPayment.Outcome.EXPIRED);
    eventually(Duration.ofSeconds(30), "the paid order's confirmation mail", () -> Arrays.stream(smtp.getReceivedMessages())
        .anyMatch(m -> subject(m).contains(paid[0])));
  }

  @Test
  @DisplayName("a refund that fails every try leaves its order refund_failed; retried after the cause is gone, it is refunded")
  void failedRefundIsSeenAndRetried() {
    String[] order = placeOrder(1);
    UUID paymentId = UUID.fromString(order[1]);
    await(payments.checkoutUrl(paymentId));
    await(((TestProvider) payments.provider()).decide(paymentId, true));
    assertThat(await(payments.reconcile(paymentId)).result()).isEqualTo("paid");
    // The provider will refuse the refund: its record of the payment is not a paid one.
    providerRecords(paymentId, "failed");
    fx.sql("SELECT * FROM cancel_order($1)", Tuple.of(order[0]));

    eventually(Duration.ofSeconds(30), "the order shows refund_failed", () -> "refund_failed".equals(orderStatus(order[0])));
    assertThat(paymentStatus(order[1])).isEqualTo("refund_failed");
    assertThat(fx.xlen(fx.services.keys().deadLetter(dev.onsale.common.JobQueue.PAYMENTS))).isEqualTo(1);

    providerRecords(paymentId, "paid");
    long orderId = fx.one("SELECT id FROM orders WHERE code = $1", Tuple.of(order[0])).getLong(0);
    assertThat(await(payments.retryRefunds(orderId))).containsExactly(order[1]);
    eventually(Duration.ofSeconds(30), "the retried refund done", () -> "refunded".equals(paymentStatus(order[1])));
    assertThat(orderStatus(order[0])).isEqualTo("refunded");
  }

  @Test
  @DisplayName("a late payment that finds no tickets is refunded by the worker and the buyer gets a mail saying so")
  void lateRefundMailed() {
    fx.sql("DELETE FROM tickets WHERE category_id = $1 AND id NOT IN (SELECT id FROM tickets WHERE category_id = $1 ORDER BY id LIMIT 1)",
        Tuple.of(categoryId));
    String[] late = placeOrder(1);
    UUID paymentId = UUID.fromString(late[1]);
    await(payments.checkoutUrl(paymentId));
    fx.sql("UPDATE orders SET keep_until = now() - interval '1 second' WHERE code = $1", Tuple.of(late[0]));
    fx.sql("UPDATE tickets SET held_until = now() - interval '1 second' WHERE category_id = $1", Tuple.of(categoryId));
    placeOrder(1); // someone else takes the only ticket
    await(((TestProvider) payments.provider()).decide(paymentId, true));
    assertThat(await(payments.reconcile(paymentId)).result()).isEqualTo("late_refunded");

    eventually(Duration.ofSeconds(30), "the late payment refunded", () -> "refunded".equals(paymentStatus(late[1])));
    assertThat(orderStatus(late[0])).isEqualTo("refunded");
    eventually(Duration.ofSeconds(30), "the refund mail", () -> Arrays.stream(smtp.getReceivedMessages())
        .anyMatch(m -> subject(m).contains("refunded") && subject(m).contains(late[0])));
  }

  private static String subject(jakarta.mail.internet.MimeMessage message) {
    try {
      return message.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new AssertionError(e);
    }
  }

  /** Rewrites the test provider's own record of a session, as a provider's side can change on its own. */
  private void providerRecords(UUID paymentId, String status) {
    await(fx.services.redisApi().hset(List.of(fx.services.keys().testProviderSession(paymentId), "status", status)));
  }
}
