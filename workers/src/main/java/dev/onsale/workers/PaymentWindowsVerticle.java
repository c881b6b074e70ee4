package dev.onsale.workers;

import dev.onsale.common.PaymentJobs;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches payment windows: every payment whose window ended is queued once on the {@code payments}
 * stream for reconciliation (the provider is asked what happened, webhooks or not), and pending
 * orders past their grace are rewritten as expired. Correctness does not wait for it: a kept ticket
 * comes back on sale when its grace ends, and answers show such an order expired already.
 */
final class PaymentWindowsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentWindowsVerticle.class);
  private static final long PERIOD_MS = 1000;
  private static final int BATCH = 500;

  private final PaymentJobs payments;
  private long timer;
  private boolean busy;

  PaymentWindowsVerticle(PaymentJobs payments) {
    this.payments = payments;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(PERIOD_MS, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    if (busy) {
      return;
    }
    busy = true;
    payments.queueDueReconciliations(BATCH)
        .onSuccess(queued -> {
          if (queued > 0) {
            LOG.info("queued {} payments whose window ended for reconciliation", queued);
          }
        })
        .compose(ignored -> payments.expireOrders(BATCH))
        .onFailure(e -> LOG.warn("payment window check failed: {}", e.toString()))
        .onComplete(ignored -> busy = false);
  }
}
