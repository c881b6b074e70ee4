package dev.onsale.workers;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobQueue;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import dev.onsale.common.ReplicaWait;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The Redis commands on job streams, in one place: appending (the relay), the consumer group,
 * acknowledging, delayed retries and the dead-letter stream. Blocking reads are not here: they
 * run on a worker's own connection.
 */
public final class JobStreams {

  /** Moves due retries from the delay set back onto the stream, atomically, so none moves twice. */
  private static final RedisScript MOVE_DUE_SCRIPT = new RedisScript("""
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
      for _, member in ipairs(due) do
        local job = cjson.decode(member)
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*',
          'id', job.id, 'type', job.type, 'payload', job.payload, 'attempt', job.attempt, 'createdAt', job.createdAt)
        redis.call('ZREM', KEYS[1], member)
      end
      return #due
      """);

  /**
   * Appends a job unless its outbox row was appended before: the marker and the entry are written
   * in one script, so a relay that lost the reply (Redis went away after the append) and sends the
   * row again adds no second entry.
   */
  // The relay pipelines a batch of appends, and one NOSCRIPT fails the whole batch, which is then
  // sent again whole (RedisScript.runAll): the appends that had run find their marker and add nothing.
  private static final RedisScript APPEND_ONCE_SCRIPT = new RedisScript("""
      if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return false end
      return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
      """);

  /** Acknowledges and removes the entry, so that XLEN counts only work not yet done. */
  private static final RedisScript ACK_SCRIPT = new RedisScript("""
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      return redis.call('XDEL', KEYS[1], ARGV[2])
      """);

  private final Redis redis;
  private final RedisKeys keys;
  private final long maxLength;
  private final long deadLetterMaxLength;
  private final long appendedMarkerMillis;

  public JobStreams(Redis redis, RedisKeys keys, StreamSettings settings) {
    this.redis = redis;
    this.keys = keys;
    this.maxLength = settings.maxLength();
    this.deadLetterMaxLength = settings.deadLetterMaxLength();
    this.appendedMarkerMillis = settings.appendedMarkerMillis();
  }

  public String stream(JobQueue queue) {
    return keys.stream(queue);
  }

  /** Sorted set of retries waiting for their time (score = epoch ms when due). */
  public String delayed(JobQueue queue) {
    return keys.delayed(queue);
  }

  /** The append of an outbox row's job, for {@link #appendAll}. */
  public RedisScript.Call appendOnce(Job job, long createdAt) {
    List<Object> args = new ArrayList<>(12);
    args.add(appendedMarkerMillis);
    args.add(maxLength);
    args.addAll(StreamJob.fields(job, createdAt));
    return new RedisScript.Call(List.of(keys.stream(job.queue()), keys.appendedJob(job.queue(), job.id())), args);
  }

  /**
   * Appends the jobs in one batch, then waits for the replicas when asked; once per outbox row: a
   * row's reply is nil when it was appended before.
   */
  public Future<List<Response>> appendAll(List<RedisScript.Call> appends, ReplicaWait wait) {
    return APPEND_ONCE_SCRIPT.runAll(redis, wait, appends);
  }

  /** Creates the group (and the stream) if missing; reading from the start so no job is skipped. */
  public Future<Void> ensureGroup(JobQueue queue) {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(stream(queue)).arg(JobCatalog.GROUP).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> isError(e, "BUSYGROUP") ? Future.succeededFuture() : Future.failedFuture(e));
  }

  public Future<Void> ack(JobQueue queue, String entryId) {
    return ACK_SCRIPT.run(redis, List.of(stream(queue)), JobCatalog.GROUP, entryId).mapEmpty();
  }

  /** Schedules the next try, then acknowledges this one (a crash between leaves a harmless duplicate). */
  public Future<Void> retryLater(StreamJob current, Job retry, long dueAtMillis) {
    JobQueue queue = retry.queue();
    return redis.send(Request.cmd(Command.ZADD).arg(delayed(queue)).arg(dueAtMillis).arg(current.delayedMember(retry)))
        .compose(ignored -> ack(queue, current.entryId()));
  }

  public Future<Void> deadLetter(StreamJob current, String error) {
    Job job = current.job();
    Request add = Request.cmd(Command.XADD)
        .arg(keys.deadLetter(job.queue())).arg("MAXLEN").arg("~").arg(deadLetterMaxLength).arg("*");
    StreamJob.fields(job, current.createdAt()).forEach(add::arg);
    add.arg("error").arg(error == null ? "unknown" : error)
        .arg("failedAt").arg(System.currentTimeMillis())
        .arg("entryId").arg(current.entryId());
    return redis.send(add).compose(ignored -> ack(job.queue(), current.entryId()));
  }

  /** An entry that cannot be decoded cannot be retried: it goes to the dead letters as it is. */
  public Future<Void> discardMalformed(JobQueue queue, String entryId, String error) {
    return redis.send(Request.cmd(Command.XADD).arg(keys.deadLetter(queue)).arg("MAXLEN").arg("~").arg(deadLetterMaxLength)
            .arg("*").arg("entryId").arg(entryId).arg("error").arg("malformed entry: " + error)
            .arg("failedAt").arg(System.currentTimeMillis()))
        .compose(ignored -> ack(queue, entryId));
  }

  /** Moves up to {@code limit} due retries onto the stream; returns how many moved. */
  public Future<Integer> moveDue(JobQueue queue, int limit) {
    return MOVE_DUE_SCRIPT.run(redis, List.of(delayed(queue), stream(queue)), System.currentTimeMillis(), limit, maxLength)
        .map(Response::toInteger);
  }

  /**
   * Claims entries pending longer than {@code minIdleMillis} (their worker died). Returns the next
   * cursor and the jobs; entries deleted meanwhile are dropped from the pending list by Redis.
   */
  public Future<Claimed> autoClaim(JobQueue queue, String consumer, long minIdleMillis, String cursor, int count) {
    return redis.send(Request.cmd(Command.XAUTOCLAIM).arg(stream(queue)).arg(JobCatalog.GROUP).arg(consumer)
            .arg(minIdleMillis).arg(cursor).arg("COUNT").arg(count))
        .map(reply -> new Claimed(reply.get(0).toString(), entries(queue, reply.get(1))));
  }

  public record Claimed(String nextCursor, List<Parsed> jobs) {}

  /** A parsed entry, or the entry id and the reason it could not be parsed. */
  public record Parsed(String entryId, StreamJob job, String error) {}

  public static List<Parsed> entries(JobQueue queue, Response entries) {
    List<Parsed> parsed = new ArrayList<>();
    if (entries == null) {
      return parsed;
    }
    for (Response entry : entries) {
      if (entry == null || entry.size() < 2 || entry.get(1) == null) {
        continue; // deleted meanwhile
      }
      try {
        parsed.add(new Parsed(entry.get(0).toString(), StreamJob.parse(queue, entry), null));
      } catch (RuntimeException e) {
        parsed.add(new Parsed(entry.get(0).toString(), null, e.getMessage()));
      }
    }
    return parsed;
  }

  /**
   * Removes a consumer from the group if nothing is pending for it (deleting one with pending
   * entries would orphan them). Returns whether it was removed.
   */
  public Future<Boolean> removeConsumerIfIdle(JobQueue queue, String consumer) {
    return redis.send(Request.cmd(Command.XPENDING).arg(stream(queue)).arg(JobCatalog.GROUP).arg("-").arg("+").arg(1).arg(consumer))
        .compose(pending -> pending != null && pending.size() > 0
            ? Future.succeededFuture(false)
            : redis.send(Request.cmd(Command.XGROUP).arg("DELCONSUMER").arg(stream(queue)).arg(JobCatalog.GROUP).arg(consumer)).map(true));
  }

  /** Names of consumers of the queue's group with nothing pending, idle longer than {@code idleMillis}. */
  public Future<List<String>> idleConsumers(JobQueue queue, long idleMillis) {
    return redis.send(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(stream(queue)).arg(JobCatalog.GROUP)).map(consumers -> {
      List<String> idle = new ArrayList<>();
      for (Response consumer : consumers) {
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (int i = 0; i + 1 < consumer.size(); i += 2) {
          fields.put(consumer.get(i).toString(), consumer.get(i + 1).toString());
        }
        if ("0".equals(fields.get("pending")) && Long.parseLong(fields.getOrDefault("idle", "0")) > idleMillis) {
          idle.add(fields.get("name"));
        }
      }
      return idle;
    });
  }

  /** Redis error replies arrive as a Throwable (not an Exception) whose message starts with the code. */
  public static boolean isError(Throwable e, String code) {
    return e != null && e.getMessage() != null && e.getMessage().startsWith(code);
  }
}
