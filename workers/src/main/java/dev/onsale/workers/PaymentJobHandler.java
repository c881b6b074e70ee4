package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobTypes;
import dev.onsale.common.PaymentJobs;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * {@code payments} queue: reconciliation when a payment's window ends, refunds and session
 * expiries — every call to the provider that is not the buyer's own click. A slow or failing
 * provider holds up only this queue; a refund that fails its last try leaves its order
 * {@code refund_failed}, alerting, until the organizer retries it.
 */
public final class PaymentJobHandler implements JobHandler {

  private final PaymentJobs payments;

  public PaymentJobHandler(PaymentJobs payments) {
    this.payments = payments;
  }

  @Override
  public Future<Void> handle(Job job) {
    UUID paymentId = paymentId(job);
    Future<?> done = switch (job.type()) {
      case JobTypes.PAYMENT_RECONCILE -> payments.reconcile(paymentId);
      case JobTypes.PAYMENT_REFUND -> payments.refund(paymentId);
      case JobTypes.PAYMENT_EXPIRE -> payments.expire(paymentId);
      default -> Future.failedFuture(JobFailures.permanent("the payments queue has no job type " + job.type()));
    };
    return done.<Void>mapEmpty().recover(this::classify);
  }

  @Override
  public Future<Void> deadLettered(Job job, String error) {
    if (!JobTypes.PAYMENT_REFUND.equals(job.type())) {
      return Future.succeededFuture();
    }
    return payments.refundFailed(paymentId(job), error).mapEmpty();
  }

  /** A provider's final "no" cannot get better by retrying; a 429, a 5xx or a timeout can. */
  private Future<Void> classify(Throwable e) {
    String refusal = payments.finalRefusal(e);
    if (refusal != null) {
      return Future.failedFuture(JobFailures.permanent("provider refused: " + refusal));
    }
    return Future.failedFuture(e);
  }

  private static UUID paymentId(Job job) {
    String raw = job.payload().getString(JobCatalog.PAYMENT_ID);
    try {
      return UUID.fromString(raw);
    } catch (RuntimeException e) {
      throw JobFailures.permanent("job " + job.id() + " has no valid " + JobCatalog.PAYMENT_ID);
    }
  }
}
