package dev.onsale.workers;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;

/**
 * How one job queue is worked, from {@code ONSALE_QUEUE_<QUEUE>_*} settings, so that each queue
 * can be tuned (and starved of nothing) on its own.
 *
 * @param concurrency jobs of this queue in flight at once per worker verticle
 * @param timeoutMillis the per-job time limit; a job over it fails and is retried
 * @param maxAttempts tries before the job goes to the dead-letter stream
 * @param retryPeriodMillis no retry is scheduled after this long since the job was first written
 * @param backoffMillis the wait before the second try; it doubles with each try
 * @param backoffMaxMillis the longest wait between two tries
 * @param reclaimIdleMillis a job pending this long (its worker died) is claimed by another worker
 * @param blockMillis how long one {@code XREADGROUP} waits for new jobs
 * @param drainMillis how long a stopping worker waits for its jobs in flight
 */
public record QueueSettings(
    JobQueue queue,
    int concurrency,
    long timeoutMillis,
    int maxAttempts,
    long retryPeriodMillis,
    long backoffMillis,
    long backoffMaxMillis,
    long reclaimIdleMillis,
    long blockMillis,
    long drainMillis) {

  public static QueueSettings of(OnsaleConfig config, JobQueue queue) {
    String p = "ONSALE_QUEUE_" + queue.streamName().toUpperCase() + "_";
    Defaults d = Defaults.of(queue);
    long timeoutMillis = config.longSetting(p + "TIMEOUT_SECONDS", d.timeoutSeconds) * 1000;
    QueueSettings settings = new QueueSettings(
        queue,
        config.intSetting(p + "CONCURRENCY", d.concurrency),
        timeoutMillis,
        config.intSetting(p + "MAX_ATTEMPTS", d.maxAttempts),
        config.longSetting(p + "RETRY_SECONDS", d.retrySeconds) * 1000,
        config.longSetting(p + "BACKOFF_MS", 1000),
        config.longSetting(p + "BACKOFF_MAX_SECONDS", d.backoffMaxSeconds) * 1000,
        config.longSetting(p + "RECLAIM_IDLE_SECONDS", Math.max(60, 2 * timeoutMillis / 1000)) * 1000,
        config.longSetting(p + "BLOCK_MS", 2000),
        config.longSetting(p + "DRAIN_MS", timeoutMillis));
    return settings.validate(p);
  }

  /** The wait before try number {@code attempt + 1}, after try {@code attempt} (1-based) failed. */
  public long backoffAfter(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 30);
    long wait = backoffMillis * (1L << doublings);
    return wait <= 0 || wait > backoffMaxMillis ? backoffMaxMillis : wait;
  }

  private QueueSettings validate(String prefix) {
    require(concurrency >= 1 && concurrency <= 1000, prefix + "CONCURRENCY must be between 1 and 1000");
    require(timeoutMillis >= 1000, prefix + "TIMEOUT_SECONDS must be at least 1");
    require(maxAttempts >= 1, prefix + "MAX_ATTEMPTS must be at least 1");
    require(retryPeriodMillis >= 1000, prefix + "RETRY_SECONDS must be at least 1");
    require(backoffMillis >= 1, prefix + "BACKOFF_MS must be at least 1");
    require(backoffMaxMillis >= backoffMillis, prefix + "BACKOFF_MAX_SECONDS must not be below BACKOFF_MS");
    require(reclaimIdleMillis >= 1000, prefix + "RECLAIM_IDLE_SECONDS must be at least 1");
    require(blockMillis >= 10 && blockMillis <= 60_000, prefix + "BLOCK_MS must be between 10 and 60000");
    require(drainMillis >= 0, prefix + "DRAIN_MS must not be negative");
    return this;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Per-queue defaults: PDFs are CPU-bound (two cores), mail and webhooks wait on the network. */
  private record Defaults(int concurrency, long timeoutSeconds, int maxAttempts, long retrySeconds, long backoffMaxSeconds) {
    static Defaults of(JobQueue queue) {
      return switch (queue) {
        case TICKETS -> new Defaults(2, 30, 5, 3600, 60);
        case MAIL -> new Defaults(4, 60, 12, 86_400, 300);
        case WEBHOOKS -> new Defaults(8, 15, 30, 86_400, 3600);
        case BACKGROUND -> new Defaults(1, 300, 3, 3600, 300);
        // Provider calls: short, and retried for a day before a refund is left refund_failed.
        case PAYMENTS -> new Defaults(4, 30, 12, 86_400, 600);
      };
    }
  }
}
