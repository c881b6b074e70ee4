package dev.onsale.common;

import io.vertx.core.Future;
import java.util.UUID;

/**
 * What the payments worker asks of the sale core, which owns payments: the jobs of the
 * {@code payments} queue and the periodic sweep of ended payment windows. The sale core implements
 * it; the workers depend on this, not on the sale core, and the launcher hands one to the other.
 */
public interface PaymentJobs {

  /** Asks the provider how a payment whose window ended stands, and settles it as a webhook would. */
  Future<?> reconcile(UUID paymentId);

  /** Refunds a payment Onsale cannot keep (late, duplicate, mismatched, cancelled order). */
  Future<?> refund(UUID paymentId);

  /** Ends a payment's session at the provider once it can no longer be paid. */
  Future<?> expire(UUID paymentId);

  /** A refund's last try failed: its order reads {@code refund_failed}, alerting, until retried. */
  Future<?> refundFailed(UUID paymentId, String error);

  /** Queues a reconciliation for up to {@code batch} payments whose window has ended; how many. */
  Future<Long> queueDueReconciliations(int batch);

  /** Rewrites up to {@code batch} pending orders past their window and grace as expired; how many. */
  Future<Integer> expireOrders(int batch);

  /**
   * The provider's final answer in a failure, which retrying cannot change (a card declined for
   * good, a refund refused), or null for a failure worth another try (a timeout, a 429, a 5xx).
   */
  String finalRefusal(Throwable failure);
}
