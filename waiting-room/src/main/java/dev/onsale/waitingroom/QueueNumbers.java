package dev.onsale.waitingroom;

import dev.onsale.common.ApiException;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.ReplicaWait;
import dev.onsale.common.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands out arrival numbers from the event's arrival counter, at most {@code perMinute} new numbers
 * per client address, event and minute (a fixed window counted in Redis, so the limit holds across
 * every instance; a refused join takes no number).
 *
 * <p>The joins that arrive together on one event loop for one event share one script: while a
 * script is under way, newcomers wait in memory and go together in the next, which counts each
 * address and takes the allowed numbers with one {@code INCRBY}. A lone join goes at once; under a
 * flood, Redis sees one command per batch instead of one per buyer. Numbers follow the order of
 * arrival within a batch, and batches follow each other, so the line stays first come, first served.
 */
final class QueueNumbers {

  /** KEYS[1]: the arrival counter; KEYS[2..]: each join's rate-limit counter. Replies {last number, allowed flags...}. */
  private static final RedisScript TAKE_NUMBERS = new RedisScript("""
      local limit = tonumber(ARGV[1])
      local reply = {0}
      local taken = 0
      for i = 2, #KEYS do
        local joins = redis.call('INCR', KEYS[i])
        if joins == 1 then redis.call('EXPIRE', KEYS[i], 120) end
        if joins <= limit then
          taken = taken + 1
          reply[i] = 1
        else
          reply[i] = 0
        end
      end
      reply[1] = redis.call('INCRBY', KEYS[1], taken)
      return reply
      """);

  static final int MAX_BATCH = 256;
  static final int MAX_WAITING = 20_000;

  private final Redis redis;
  private final RedisKeys keys;
  private final int perMinute;
  private final ReplicaWait wait;
  /** Lanes of the calling event loop, per event: each loop batches its own joins, without locks. */
  private final ThreadLocal<Map<Long, Lane>> lanes = ThreadLocal.withInitial(HashMap::new);

  QueueNumbers(Redis redis, RedisKeys keys, int perMinute) {
    this(redis, keys, perMinute, ReplicaWait.NONE);
  }

  /** With {@code wait} on, a number is handed out only once a replica holds it: a failover cannot issue it again. */
  QueueNumbers(Redis redis, RedisKeys keys, int perMinute, ReplicaWait wait) {
    this.redis = redis;
    this.keys = keys;
    this.perMinute = perMinute;
    this.wait = wait;
  }

  private record Pending(String rateKey, long now, Promise<Long> promise) {}

  private static final class Lane {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean inFlight;
  }

  /** The next arrival number, or a 429 (with when to retry) for an address over its limit. */
  Future<Long> take(long eventId, String clientAddress, long now) {
    Lane lane = lanes.get().computeIfAbsent(eventId, id -> new Lane());
    if (lane.waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(ApiException.unavailable("overloaded", "too many buyers at once, try again shortly", 1));
    }
    Promise<Long> promise = Promise.promise();
    lane.waiting.add(new Pending(keys.event(eventId).joinRateLimit(clientAddress, now / 60_000), now, promise));
    if (!lane.inFlight) {
      flush(eventId, lane);
    }
    return promise.future();
  }

  private void flush(long eventId, Lane lane) {
    List<Pending> batch = new ArrayList<>(Math.min(lane.waiting.size(), MAX_BATCH));
    List<String> scriptKeys = new ArrayList<>(batch.size() + 1);
    scriptKeys.add(keys.event(eventId).arrivals());
    while (!lane.waiting.isEmpty() && batch.size() < MAX_BATCH) {
      Pending pending = lane.waiting.poll();
      batch.add(pending);
      scriptKeys.add(pending.rateKey());
    }
    lane.inFlight = true;
    TAKE_NUMBERS.run(redis, wait, scriptKeys, perMinute).onComplete(result -> {
      lane.inFlight = false;
      if (result.succeeded()) {
        distribute(batch, result.result());
      } else {
        batch.forEach(p -> p.promise().fail(result.cause()));
      }
      if (!lane.waiting.isEmpty()) {
        flush(eventId, lane);
      }
    });
  }

  private static void distribute(List<Pending> batch, Response reply) {
    int allowed = 0;
    for (int i = 0; i < batch.size(); i++) {
      allowed += reply.get(i + 1).toInteger();
    }
    long next = reply.get(0).toLong() - allowed + 1;
    for (int i = 0; i < batch.size(); i++) {
      Pending pending = batch.get(i);
      if (reply.get(i + 1).toInteger() == 1) {
        pending.promise().complete(next++);
      } else {
        pending.promise().fail(rateLimited(pending.now()));
      }
    }
  }

  private static ApiException rateLimited(long now) {
    return rateLimited(now, "too many queue joins from your address");
  }

  /** A 429 for an address over a per-minute limit: comes back when the next minute starts. */
  static ApiException rateLimited(long now, String what) {
    long minute = now / 60_000;
    int retryAfter = (int) Math.max(1, ((minute + 1) * 60_000 - now + 999) / 1000);
    return new ApiException(429, "rate_limited", what + "; try again in " + retryAfter + " seconds",
        new JsonObject().put("retryAfterSeconds", retryAfter), retryAfter);
  }
}
