package dev.onsale.sale.payment;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * The {@code test} provider: a payment page of Onsale's own with "Pay" and "Decline", for the demo
 * and the tests. It keeps its sessions in a table of its own, as a real provider keeps them on its
 * side, so reconciliation asks it what happened exactly as it asks Stripe. It takes no money.
 */
public final class TestProvider implements PaymentProvider {

  private final Pool pool;

  public TestProvider(Pool pool) {
    this.pool = pool;
  }

  @Override
  public String name() {
    return PaymentSettings.TEST;
  }

  /** The page where the buyer pays: Onsale's own. */
  public static String pageUrl(UUID paymentId) {
    return "/pay/test/" + paymentId;
  }

  @Override
  public Future<CheckoutSession> openSession(PaymentRequest request) {
    return pool.preparedQuery(PaymentSql.OPEN_TEST_SESSION).execute(Tuple.of(request.paymentId(), request.amountMinor(), request.currency()))
        .map(ignored -> new CheckoutSession(request.paymentId().toString(), pageUrl(request.paymentId())));
  }

  @Override
  public Future<ProviderPayment> fetch(String sessionId) {
    return pool.preparedQuery(PaymentSql.SELECT_TEST_SESSION).execute(Tuple.of(UUID.fromString(sessionId)))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new ProviderException("no test session " + sessionId, false, "resource_missing", null))
            : Future.succeededFuture(toPayment(rows.iterator().next())));
  }

  @Override
  public Future<ProviderPayment> expire(String sessionId) {
    return move(UUID.fromString(sessionId), "open", "expired").compose(ignored -> fetch(sessionId));
  }

  /** The buyer pressed "Pay" (true) or "Decline" (false); empty when the session was not open. */
  public Future<ProviderPayment> decide(UUID paymentId, boolean pay) {
    return pool.preparedQuery(PaymentSql.MOVE_TEST_SESSION).execute(Tuple.of(paymentId, "open", pay ? "paid" : "failed"))
        .map(rows -> rows.size() == 0 ? null : toPayment(rows.iterator().next()));
  }

  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    UUID id = UUID.fromString(request.sessionId());
    return move(id, "paid", "refunded").compose(moved -> moved == 1
        ? Future.succeededFuture(new RefundResult("test-refund-" + id, false))
        : fetch(request.sessionId()).compose(state -> state.outcome() == null
            ? Future.succeededFuture(new RefundResult("test-refund-" + id, true))
            : Future.failedFuture(new ProviderException("test session " + id + " is not paid", false, "charge_not_paid", null))));
  }

  /** The test provider notifies through its own page's request, never through a webhook. */
  @Override
  public WebhookNotice verifyWebhook(Buffer rawBody, MultiMap headers) {
    throw new WebhookSignatureException("the test provider sends no webhooks");
  }

  private Future<Integer> move(UUID paymentId, String from, String to) {
    return pool.preparedQuery(PaymentSql.MOVE_TEST_SESSION).execute(Tuple.of(paymentId, from, to)).map(rows -> rows.rowCount());
  }

  /** A refunded session reports its outcome as null: it was paid, and the money went back. */
  private static ProviderPayment toPayment(Row row) {
    ProviderPayment.Outcome outcome = switch (row.getString("status")) {
      case "paid" -> ProviderPayment.Outcome.PAID;
      case "failed" -> ProviderPayment.Outcome.FAILED;
      case "expired" -> ProviderPayment.Outcome.EXPIRED;
      case "refunded" -> null;
      default -> ProviderPayment.Outcome.OPEN;
    };
    UUID id = row.getUUID("payment_id");
    return new ProviderPayment(id.toString(), id, outcome, row.getLong("amount_cents"), row.getString("currency"),
        "test-charge-" + id);
  }
}
