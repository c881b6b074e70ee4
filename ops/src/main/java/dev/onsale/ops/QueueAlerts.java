package dev.onsale.ops;

import dev.onsale.common.JobQueue;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The alert state of every queue, kept in one Redis hash ({@code keys.alerts()}: one field per
 * queue and reason, {@code mail} for the backlog alert and {@code mail:failing} for the failing
 * one, holding the JSON of the firing alert) so that several ops instances agree: the instance
 * whose HSETNX raises an alert (or whose HDEL clears it) is the one that announces it, so each
 * change is announced once.
 *
 * <p>A backlog alert clears once the backlog is back at or below the clearing level. A failing
 * alert clears once a job of the queue succeeded after it was raised, or once the queue has
 * nothing left to try (no backlog, no failure in the last minute: the jobs went to the dead letters).
 */
public final class QueueAlerts {

  /** A change of one queue's alert state, to be announced. */
  public record Transition(JobQueue queue, AlertReason reason, boolean firing, QueueStats stats, long threshold, long since) {}

  /** The firing alerts of one queue: reason to the epoch ms it started. */
  public record Firing(Map<AlertReason, Long> reasons) {

    public static final Firing NONE = new Firing(Map.of());

    public boolean active() {
      return !reasons.isEmpty();
    }

    /** The reason to show first: failing jobs say more than a long queue. */
    public AlertReason main() {
      return reasons.containsKey(AlertReason.FAILING) ? AlertReason.FAILING
          : reasons.containsKey(AlertReason.BACKLOG) ? AlertReason.BACKLOG : null;
    }

    /** When the oldest of its alerts started, or null. */
    public Long since() {
      return reasons.values().stream().min(Long::compare).orElse(null);
    }

    public List<String> tags() {
      List<String> tags = new ArrayList<>();
      for (AlertReason reason : List.of(AlertReason.FAILING, AlertReason.BACKLOG)) {
        if (reasons.containsKey(reason)) {
          tags.add(reason.tag());
        }
      }
      return tags;
    }
  }

  private final RedisAPI redis;
  private final String key;
  private final AlertSettings settings;

  public QueueAlerts(RedisAPI redis, RedisKeys keys, AlertSettings settings) {
    this.redis = redis;
    this.key = keys.alerts();
    this.settings = settings;
  }

  /** Every queue with at least one firing alert. */
  public Future<Map<JobQueue, Firing>> firing() {
    return redis.hgetall(key).map(QueueAlerts::parse);
  }

  /** Raises or clears each queue's alerts as its sample says; answers the changes this call made. */
  public Future<List<Transition>> update(List<QueueStats> samples) {
    long now = System.currentTimeMillis();
    return firing().compose(current -> {
      List<Future<Transition>> changes = new ArrayList<>();
      for (QueueStats stats : samples) {
        Map<AlertReason, Long> active = current.getOrDefault(stats.queue(), Firing.NONE).reasons();
        changes.add(updateBacklog(stats, active.get(AlertReason.BACKLOG), now));
        changes.add(updateFailing(stats, active.get(AlertReason.FAILING), now));
      }
      return Future.all(changes).map(all -> changes.stream().map(Future::result).filter(t -> t != null).toList());
    });
  }

  private Future<Transition> updateBacklog(QueueStats stats, Long since, long now) {
    if (since == null && settings.fires(stats)) {
      return raise(stats, AlertReason.BACKLOG, now);
    }
    if (since != null && settings.clears(stats)) {
      return clear(stats, AlertReason.BACKLOG, since);
    }
    return Future.succeededFuture();
  }

  private Future<Transition> updateFailing(QueueStats stats, Long since, long now) {
    if (since == null && stats.failing(now)) {
      return raise(stats, AlertReason.FAILING, now);
    }
    if (since != null && failingCleared(stats, since)) {
      return clear(stats, AlertReason.FAILING, since);
    }
    return Future.succeededFuture();
  }

  static boolean failingCleared(QueueStats stats, long since) {
    boolean succeededSince = stats.health().succeededSince(since);
    boolean nothingLeft = stats.backlog() == 0 && stats.health().failuresInWindow() == 0;
    return succeededSince || nothingLeft;
  }

  private Future<Transition> raise(QueueStats stats, AlertReason reason, long now) {
    JobQueue queue = stats.queue();
    long threshold = settings.threshold(queue);
    String state = new JsonObject().put("since", now).put("reason", reason.tag()).put("backlog", stats.backlog())
        .put("threshold", threshold).put("failedLastMinute", stats.health().failuresInWindow()).encode();
    return redis.hsetnx(key, field(queue, reason), state)
        .map(won -> won.toInteger() == 1 ? new Transition(queue, reason, true, stats, threshold, now) : null);
  }

  private Future<Transition> clear(QueueStats stats, AlertReason reason, long since) {
    JobQueue queue = stats.queue();
    return redis.hdel(List.of(key, field(queue, reason)))
        .map(removed -> removed.toInteger() == 1
            ? new Transition(queue, reason, false, stats, settings.threshold(queue), since) : null);
  }

  static String field(JobQueue queue, AlertReason reason) {
    return reason == AlertReason.BACKLOG ? queue.streamName() : queue.streamName() + ":" + reason.tag();
  }

  private static Map<JobQueue, Firing> parse(Response hash) {
    Map<JobQueue, Map<AlertReason, Long>> firing = new EnumMap<>(JobQueue.class);
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      String name = hash.get(i).toString();
      for (JobQueue queue : JobQueue.values()) {
        for (AlertReason reason : AlertReason.values()) {
          if (field(queue, reason).equals(name)) {
            long since = new JsonObject(hash.get(i + 1).toString()).getLong("since", 0L);
            firing.computeIfAbsent(queue, q -> new EnumMap<>(AlertReason.class)).put(reason, since);
          }
        }
      }
    }
    Map<JobQueue, Firing> result = new EnumMap<>(JobQueue.class);
    firing.forEach((queue, reasons) -> result.put(queue, new Firing(Map.copyOf(reasons))));
    return result;
  }
}
