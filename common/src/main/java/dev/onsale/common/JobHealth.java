package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * Whether a job queue's jobs keep failing, told by what the workers record in Redis (so any ops
 * instance, in any process, sees the same): every failed try goes into a sorted set scored by its
 * time, and the time of the latest success into a string. A queue is <em>failing</em> when within
 * {@link #WINDOW_MS} at least {@link #FAILURES_TO_ALERT} tries failed and none succeeded.
 */
public final class JobHealth {

  /** The window the failing rule looks at. */
  public static final long WINDOW_MS = 60_000;
  /** Failed tries within the window, with no success, that make a queue failing. */
  public static final int FAILURES_TO_ALERT = 3;
  /** Failures older than this are trimmed; the set never holds more than {@link #KEEP_MAX}. */
  static final long KEEP_MS = 10 * WINDOW_MS;
  static final int KEEP_MAX = 10_000;

  private static final RedisScript RECORD_FAILURE = new RedisScript("""
      local now = tonumber(ARGV[1])
      redis.call('ZADD', KEYS[1], now, ARGV[2])
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))
      redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
      """);

  private final RedisKeys keys;

  public JobHealth(RedisKeys keys) {
    this.keys = keys;
  }

  /** Records one failed try; {@code tryId} tells tries apart (e.g. the entry id and the attempt). */
  public Future<Void> recordFailure(Redis redis, JobQueue queue, String tryId, long nowMillis) {
    return RECORD_FAILURE.run(redis, List.of(keys.jobFailures(queue)), nowMillis, tryId, KEEP_MS, KEEP_MAX).mapEmpty();
  }

  /** Records that a job of the queue succeeded at {@code nowMillis}. */
  public Future<Void> recordSuccess(Redis redis, JobQueue queue, long nowMillis) {
    return redis.send(Request.cmd(Command.SET).arg(keys.jobLastSuccess(queue)).arg(nowMillis).arg("PX").arg(KEEP_MS))
        .mapEmpty();
  }

  /** Reads the failures within the window and the latest success (two keys, sent apart: they may sit on two cluster slots). */
  public Future<Sample> sample(Redis redis, JobQueue queue, long nowMillis) {
    Future<Response> failures = redis.send(
        Request.cmd(Command.ZCOUNT).arg(keys.jobFailures(queue)).arg(nowMillis - WINDOW_MS).arg("+inf"));
    Future<Response> lastSuccess = redis.send(Request.cmd(Command.GET).arg(keys.jobLastSuccess(queue)));
    return Future.all(failures, lastSuccess).map(all -> new Sample(number(failures.result()), number(lastSuccess.result())));
  }

  /**
   * @param failuresInWindow failed tries within the last {@link JobHealth#WINDOW_MS}
   * @param lastSuccessAt epoch ms of the latest success known, 0 when none is known
   */
  public record Sample(long failuresInWindow, long lastSuccessAt) {

    public static final Sample NONE = new Sample(0, 0);

    /** Within the window at least {@link JobHealth#FAILURES_TO_ALERT} tries failed and none succeeded. */
    public boolean failing(long nowMillis) {
      return failuresInWindow >= FAILURES_TO_ALERT && lastSuccessAt < nowMillis - WINDOW_MS;
    }

    /**
     * A job succeeded after a failing state was seen at {@code failingSince}: then no success had
     * been recorded for a window, so any later one is newer than {@code failingSince - WINDOW_MS}
     * (which tolerates clocks of workers and monitor that differ by less than the window).
     */
    public boolean succeededSince(long failingSince) {
      return lastSuccessAt > failingSince - WINDOW_MS;
    }
  }

  private static long number(Response reply) {
    return reply == null ? 0 : reply.toLong();
  }
}
