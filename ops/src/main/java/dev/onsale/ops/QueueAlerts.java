package dev.onsale.ops;

import dev.onsale.common.JobQueue;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The alert state of every queue, kept in one Redis hash ({@code keys.alerts()}: queue to the JSON
 * of the firing alert) so that several ops instances agree: the instance whose HSETNX raises an
 * alert (or whose HDEL clears it) is the one that announces it, so each change is announced once.
 */
public final class QueueAlerts {

  /** A change of one queue's alert state, to be announced. */
  public record Transition(JobQueue queue, boolean firing, QueueStats stats, long threshold, long since) {}

  private final RedisAPI redis;
  private final String key;
  private final AlertSettings settings;

  public QueueAlerts(RedisAPI redis, RedisKeys keys, AlertSettings settings) {
    this.redis = redis;
    this.key = keys.alerts();
    this.settings = settings;
  }

  /** Queue to the epoch ms its alert started, for every firing alert. */
  public Future<Map<JobQueue, Long>> firing() {
    return redis.hgetall(key).map(QueueAlerts::parse);
  }

  /** Raises or clears each queue's alert as its sample says; answers the changes this call made. */
  public Future<List<Transition>> update(List<QueueStats> samples) {
    return firing().compose(current -> {
      List<Future<Transition>> changes = samples.stream().map(stats -> update(stats, current)).toList();
      return Future.all(changes).map(all -> changes.stream().map(Future::result).filter(t -> t != null).toList());
    });
  }

  private Future<Transition> update(QueueStats stats, Map<JobQueue, Long> current) {
    JobQueue queue = stats.queue();
    long threshold = settings.threshold(queue);
    if (!current.containsKey(queue) && settings.fires(stats)) {
      long now = System.currentTimeMillis();
      String state = new JsonObject().put("since", now).put("backlog", stats.backlog()).put("threshold", threshold).encode();
      return redis.hsetnx(key, queue.streamName(), state)
          .map(won -> won.toInteger() == 1 ? new Transition(queue, true, stats, threshold, now) : null);
    }
    if (current.containsKey(queue) && settings.clears(stats)) {
      return redis.hdel(List.of(key, queue.streamName()))
          .map(removed -> removed.toInteger() == 1 ? new Transition(queue, false, stats, threshold, current.get(queue)) : null);
    }
    return Future.succeededFuture();
  }

  private static Map<JobQueue, Long> parse(Response hash) {
    Map<JobQueue, Long> firing = new EnumMap<>(JobQueue.class);
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      String name = hash.get(i).toString();
      for (JobQueue queue : JobQueue.values()) {
        if (queue.streamName().equals(name)) {
          firing.put(queue, new JsonObject(hash.get(i + 1).toString()).getLong("since", 0L));
        }
      }
    }
    return firing;
  }
}
