package dev.onsale.ops;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * Reads how far behind one job stream is, from Redis alone: XLEN, the consumer group's pending
 * summary and lag, the ids (which are timestamps) of the oldest pending and the first
 * undelivered entry, the jobs waiting for a retry, and the failed tries and latest success the
 * workers recorded ({@link JobHealth}). Works before the workers have created their group: then every entry is
 * undelivered.
 */
public final class QueueSampler {

  /** Retries looked at for the oldest one: all of them up to this many, else the first and last half. */
  static final int RETRIES_SCANNED = 2_000;

  /**
   * How many jobs wait for a retry, and when the oldest of them was first written (0 when none):
   * they are scored by when they are due, so the oldest is looked for among them (all of a few
   * thousand; of more, the soonest and the latest due).
   */
  private static final RedisScript RETRIES = new RedisScript("""
      local n = redis.call('ZCARD', KEYS[1])
      local cap = tonumber(ARGV[2])
      local oldest = 0
      local function scan(first, last)
        for _, member in ipairs(redis.call('ZRANGE', KEYS[1], first, last)) do
          local ok, job = pcall(cjson.decode, member)
          local created = ok and type(job) == 'table' and tonumber(job[ARGV[1]]) or nil
          if created and (oldest == 0 or created < oldest) then oldest = created end
        end
      end
      if n <= cap then scan(0, -1) else scan(0, cap / 2 - 1) scan(-(cap / 2), -1) end
      return {n, oldest}
      """);

  /** When Redis cannot tell the lag, count undelivered entries up to this many. */
  static final int UNDELIVERED_COUNT_CAP = 20_000;

  private final Redis client;
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final JobHealth health;

  public QueueSampler(Redis client, RedisKeys keys) {
    this.client = client;
    this.redis = RedisAPI.api(client);
    this.keys = keys;
    this.health = new JobHealth(keys);
  }

  public Future<List<QueueStats>> sampleAll() {
    List<Future<QueueStats>> samples = java.util.Arrays.stream(JobQueue.values()).map(this::sample).toList();
    return Future.all(samples).map(all -> samples.stream().map(Future::result).toList());
  }

  public Future<QueueStats> sample(JobQueue queue) {
    Future<QueueStats> stream = sampleStream(queue);
    Future<Response> deadLetters = redis.xlen(keys.deadLetter(queue));
    Future<Response> retrying = RETRIES.run(client, List.of(keys.delayed(queue)), Job.FIELD_CREATED_AT, RETRIES_SCANNED);
    long now = System.currentTimeMillis();
    Future<JobHealth.Sample> tries = health.sample(client, queue, now);
    return Future.all(stream, deadLetters, retrying, tries).map(all -> {
      long oldestRetry = retrying.result().get(1).toLong();
      double retryAge = oldestRetry == 0 ? 0 : Math.max(0, now - oldestRetry) / 1000.0;
      return stream.result()
          .withDeadLetters(deadLetters.result().toLong())
          .withRetries(retrying.result().get(0).toLong(), retryAge, tries.result());
    });
  }

  private Future<QueueStats> sampleStream(JobQueue queue) {
    String stream = keys.stream(queue);
    long now = System.currentTimeMillis();
    return redis.xlen(stream).compose(lengthReply -> {
      long length = lengthReply.toLong();
      if (length == 0) {
        return Future.succeededFuture(new QueueStats(queue, 0, 0, 0, 0));
      }
      return group(stream).compose(group -> group == null
          ? withoutGroup(queue, stream, length, now)
          : withGroup(queue, stream, length, group, now));
    });
  }

  /** Nobody reads the stream yet: every entry waits, the first one longest. */
  private Future<QueueStats> withoutGroup(JobQueue queue, String stream, long length, long now) {
    return redis.xrange(List.of(stream, "-", "+", "COUNT", "1"))
        .map(first -> new QueueStats(queue, length, 0, length, ageSeconds(firstId(first), now)));
  }

  private Future<QueueStats> withGroup(JobQueue queue, String stream, long length, GroupInfo group, long now) {
    Future<Response> pending = redis.xpending(List.of(stream, JobCatalog.GROUP));
    Future<Response> firstUndelivered = redis.xrange(List.of(stream, "(" + group.lastDeliveredId(), "+", "COUNT", "1"));
    Future<Long> undelivered = group.lag() != null
        ? Future.succeededFuture(group.lag())
        : redis.xrange(List.of(stream, "(" + group.lastDeliveredId(), "+", "COUNT", String.valueOf(UNDELIVERED_COUNT_CAP)))
            .map(entries -> (long) entries.size());
    return Future.all(pending, firstUndelivered, undelivered).map(all -> {
      Response summary = pending.result();
      long pendingCount = summary.get(0).toLong();
      String oldestPending = pendingCount > 0 && summary.get(1) != null ? summary.get(1).toString() : null;
      String oldestUndelivered = firstId(firstUndelivered.result());
      double age = Math.max(ageSeconds(oldestPending, now), ageSeconds(oldestUndelivered, now));
      return new QueueStats(queue, length, pendingCount, undelivered.result(), age);
    });
  }

  /** The group's last delivered id and lag (null when Redis cannot tell), or null without a group. */
  private Future<GroupInfo> group(String stream) {
    return redis.xinfo(List.of("GROUPS", stream)).map(groups -> {
      for (Response group : groups) {
        String name = field(group, "name");
        if (JobCatalog.GROUP.equals(name)) {
          String lag = field(group, "lag");
          return new GroupInfo(field(group, "last-delivered-id"), lag == null ? null : Long.parseLong(lag));
        }
      }
      return null;
    });
  }

  /** RESP2 replies are flat arrays of name, value, name, value. */
  private static String field(Response flat, String name) {
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      if (name.equals(flat.get(i).toString())) {
        Response value = flat.get(i + 1);
        return value == null ? null : value.toString();
      }
    }
    return null;
  }

  private static String firstId(Response entries) {
    return entries == null || entries.size() == 0 ? null : entries.get(0).get(0).toString();
  }

  /** A stream id is {@code <epoch ms>-<sequence>}: the time the entry was added. */
  static double ageSeconds(String streamId, long now) {
    if (streamId == null) {
      return 0;
    }
    int dash = streamId.indexOf('-');
    long added = Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
    return Math.max(0, now - added) / 1000.0;
  }

  private record GroupInfo(String lastDeliveredId, Long lag) {}
}
