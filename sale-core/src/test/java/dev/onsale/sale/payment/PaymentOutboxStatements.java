package dev.onsale.sale.payment;

import dev.onsale.common.JobTypes;
import java.util.Map;

/** The payments' statements that write into the outbox, with the job type each one's {@code $2} is bound to (see {@link PaymentService}). */
public final class PaymentOutboxStatements {

  private PaymentOutboxStatements() {}

  /** Statement name → (SQL, type bound to {@code $2}). */
  public static final Map<String, Map.Entry<String, String>> STATEMENTS = Map.of(
      "PaymentSql.QUEUE_DUE_RECONCILIATIONS", Map.entry(PaymentSql.QUEUE_DUE_RECONCILIATIONS, JobTypes.PAYMENT_RECONCILE),
      "PaymentSql.QUEUE_REFUND", Map.entry(PaymentSql.QUEUE_REFUND, JobTypes.PAYMENT_REFUND));
}
