package dev.onsale.ops;

import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import io.vertx.core.json.JsonObject;

/**
 * One sample of a job stream.
 *
 * @param length entries in the stream (XLEN), including entries already acknowledged and kept
 * @param pending delivered to a worker and not yet acknowledged (XPENDING)
 * @param undelivered not yet handed to any worker (the consumer group's lag)
 * @param oldestAgeSeconds age of the oldest job nobody has finished: pending, undelivered or waiting for a retry
 * @param deadLetters entries in the queue's dead-letter stream: jobs that failed their last try
 * @param retrying jobs that failed a try and wait for the next one (the queue's delayed set)
 * @param health failed tries within the last minute and the latest success, as the workers record them
 */
public record QueueStats(JobQueue queue, long length, long pending, long undelivered, double oldestAgeSeconds,
    long deadLetters, long retrying, JobHealth.Sample health) {

  public QueueStats(JobQueue queue, long length, long pending, long undelivered, double oldestAgeSeconds) {
    this(queue, length, pending, undelivered, oldestAgeSeconds, 0, 0, JobHealth.Sample.NONE);
  }

  public QueueStats withDeadLetters(long count) {
    return new QueueStats(queue, length, pending, undelivered, oldestAgeSeconds, count, retrying, health);
  }

  /** With the jobs waiting for a retry: counted in the backlog, the oldest of them in the oldest age. */
  public QueueStats withRetries(long retryingCount, double oldestRetryAgeSeconds, JobHealth.Sample sample) {
    return new QueueStats(queue, length, pending, undelivered, Math.max(oldestAgeSeconds, oldestRetryAgeSeconds),
        deadLetters, retryingCount, sample);
  }

  /** Jobs not done yet, the number the length alert watches: in progress, not picked up, or waiting for a retry. */
  public long backlog() {
    return pending + undelivered + retrying;
  }

  /** Within the last minute at least three tries failed and none succeeded. */
  public boolean failing(long nowMillis) {
    return health.failing(nowMillis);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("queue", queue.streamName())
        .put("length", length)
        .put("pending", pending)
        .put("undelivered", undelivered)
        .put("retrying", retrying)
        .put("backlog", backlog())
        .put("oldestAgeSeconds", Math.round(oldestAgeSeconds * 10) / 10.0)
        .put("deadLetters", deadLetters)
        .put("failedLastMinute", health.failuresInWindow())
        .put("lastSuccessAt", health.lastSuccessAt() == 0 ? null : health.lastSuccessAt());
  }
}
