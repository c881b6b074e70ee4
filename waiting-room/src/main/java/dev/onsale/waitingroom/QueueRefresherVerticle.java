package dev.onsale.waitingroom;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reloads this instance's queue snapshots from Redis a few times a second. */
final class QueueRefresherVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(QueueRefresherVerticle.class);

  private final WaitingRoomRuntime runtime;
  private boolean stopped;
  private long timerId = -1;
  private long lastWarning;

  QueueRefresherVerticle(WaitingRoomRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public Future<?> start() {
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    WaitingRoomRuntime.forget(runtime);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timerId = vertx.setTimer(runtime.settings().refreshMillis(), id -> refresh());
    }
  }

  private void refresh() {
    runtime.snapshots().refreshAll()
        .onFailure(e -> {
          long now = runtime.now();
          if (now - lastWarning > 10_000) {
            lastWarning = now;
            LOG.warn("queue state refresh from Redis failed: {}", e.toString());
          }
        })
        .onComplete(done -> schedule());
  }
}
