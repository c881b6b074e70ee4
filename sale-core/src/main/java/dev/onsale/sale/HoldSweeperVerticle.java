package dev.onsale.sale;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks long-expired holds expired and their tickets plainly available. Correctness never waits
 * for it (an expired hold is claimable at once); it keeps stats and history tidy, and clears
 * idempotency keys older than a day.
 */
final class HoldSweeperVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HoldSweeperVerticle.class);
  private static final int BATCH = 1000;
  private static final long PERIOD_MS = 5000;

  private final SaleRepository sales;
  private long timer;
  private boolean busy;
  private long rounds;

  HoldSweeperVerticle(SaleRepository sales) {
    this.sales = sales;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(PERIOD_MS, id -> sweep());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void sweep() {
    if (busy) {
      return;
    }
    busy = true;
    rounds++;
    sales.sweepExpiredHolds(BATCH)
        .onSuccess(swept -> {
          if (swept.reservations() > 0) {
            LOG.info("expired {} holds, freeing {} tickets", swept.reservations(), swept.tickets());
          }
        })
        .compose(ignored -> rounds % 720 == 1 ? sales.deleteOldIdempotencyKeys(10_000).mapEmpty() : Future.succeededFuture())
        .onFailure(e -> LOG.warn("hold sweep failed: {}", e.toString()))
        .onComplete(ignored -> busy = false);
  }
}
