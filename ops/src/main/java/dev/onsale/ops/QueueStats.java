package dev.onsale.ops;

import dev.onsale.common.JobQueue;
import io.vertx.core.json.JsonObject;

/**
 * One sample of a job stream.
 *
 * @param length entries in the stream (XLEN), including entries already acknowledged and kept
 * @param pending delivered to a worker and not yet acknowledged (XPENDING)
 * @param undelivered not yet handed to any worker (the consumer group's lag)
 * @param oldestAgeSeconds age of the oldest job nobody has finished: pending or undelivered
 * @param deadLetters entries in the queue's dead-letter stream: jobs that failed their last try
 */
public record QueueStats(JobQueue queue, long length, long pending, long undelivered, double oldestAgeSeconds,
    long deadLetters) {

  public QueueStats(JobQueue queue, long length, long pending, long undelivered, double oldestAgeSeconds) {
    this(queue, length, pending, undelivered, oldestAgeSeconds, 0);
  }

  public QueueStats withDeadLetters(long count) {
    return new QueueStats(queue, length, pending, undelivered, oldestAgeSeconds, count);
  }

  /** Jobs waiting to be done: the number the length alert watches. */
  public long backlog() {
    return pending + undelivered;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("queue", queue.streamName())
        .put("length", length)
        .put("pending", pending)
        .put("undelivered", undelivered)
        .put("backlog", backlog())
        .put("oldestAgeSeconds", Math.round(oldestAgeSeconds * 10) / 10.0)
        .put("deadLetters", deadLetters);
  }
}
