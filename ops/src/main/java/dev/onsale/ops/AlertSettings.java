package dev.onsale.ops;

import dev.onsale.common.JobQueue;
import dev.onsale.common.OnsaleConfig;
import java.util.EnumMap;
import java.util.Map;

/**
 * When a job queue's backlog alert fires and clears. A queue alerts when its backlog (pending,
 * undelivered and waiting for a retry) passes its threshold, and clears only once the backlog is back at or below
 * {@code clearRatio} of it, so a queue hovering at the threshold does not flap.
 *
 * <p>Settings: {@code ONSALE_QUEUE_<QUEUE>_ALERT_THRESHOLD} (e.g. {@code ONSALE_QUEUE_MAIL_ALERT_THRESHOLD}),
 * {@code ONSALE_QUEUE_ALERT_CLEAR_RATIO} (0.8), {@code ONSALE_QUEUE_MONITOR_INTERVAL_MS} (5000),
 * {@code ONSALE_ALERT_WEBHOOK_URL} (unset: log and metric only).
 */
public record AlertSettings(Map<JobQueue, Long> thresholds, double clearRatio, long intervalMs, String webhookUrl) {

  /** Defaults: tickets are what buyers wait for, so they alert first; housekeeping may pile up. */
  static final Map<JobQueue, Long> DEFAULT_THRESHOLDS = Map.of(
      JobQueue.TICKETS, 1_000L,
      JobQueue.MAIL, 2_000L,
      JobQueue.WEBHOOKS, 2_000L,
      JobQueue.BACKGROUND, 10_000L,
      // A payments backlog means refunds and reconciliations waiting on a provider: alert early.
      JobQueue.PAYMENTS, 500L);

  public static AlertSettings from(OnsaleConfig config) {
    Map<JobQueue, Long> thresholds = new EnumMap<>(JobQueue.class);
    for (JobQueue queue : JobQueue.values()) {
      String name = "ONSALE_QUEUE_" + queue.streamName().toUpperCase() + "_ALERT_THRESHOLD";
      long threshold = config.longSetting(name, DEFAULT_THRESHOLDS.getOrDefault(queue, 1_000L));
      if (threshold < 1) {
        throw new IllegalArgumentException(name + " must be at least 1");
      }
      thresholds.put(queue, threshold);
    }
    double ratio = Double.parseDouble(config.setting("ONSALE_QUEUE_ALERT_CLEAR_RATIO", "0.8"));
    if (!(ratio > 0 && ratio <= 1)) {
      throw new IllegalArgumentException("ONSALE_QUEUE_ALERT_CLEAR_RATIO must be above 0 and at most 1");
    }
    long interval = config.longSetting("ONSALE_QUEUE_MONITOR_INTERVAL_MS", 5_000);
    String webhook = config.setting("ONSALE_ALERT_WEBHOOK_URL", "").trim();
    return new AlertSettings(Map.copyOf(thresholds), ratio, Math.max(100, interval), webhook.isEmpty() ? null : webhook);
  }

  public long threshold(JobQueue queue) {
    return thresholds.get(queue);
  }

  /** The backlog at or below which a firing alert clears. */
  public long clearBelow(JobQueue queue) {
    return (long) Math.floor(threshold(queue) * clearRatio);
  }

  public boolean fires(QueueStats stats) {
    return stats.backlog() > threshold(stats.queue());
  }

  public boolean clears(QueueStats stats) {
    return stats.backlog() <= clearBelow(stats.queue());
  }
}
