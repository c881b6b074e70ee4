package dev.onsale.workers;

import dev.onsale.common.Job;
import io.vertx.core.Future;

/**
 * The work of one queue. A handler must be idempotent: the same job (same id) may arrive twice,
 * after a reclaim or a relay retry, and must have its effect once. The returned future completes
 * once the effect is durable; only then is the job acknowledged.
 */
@FunctionalInterface
public interface JobHandler {

  Future<Void> handle(Job job);

  /** Called once when the worker starts, e.g. to warm a renderer; a failure stops the deployment. */
  default Future<Void> warmUp() {
    return Future.succeededFuture();
  }

  /**
   * Called once when a job failed its last try, before it goes to the dead-letter stream, so that
   * its failure becomes visible where users look (a refund that failed shows on its order).
   */
  default Future<Void> deadLettered(Job job, String error) {
    return Future.succeededFuture();
  }

  /** Releases what the handler opened (clients), when its worker stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
