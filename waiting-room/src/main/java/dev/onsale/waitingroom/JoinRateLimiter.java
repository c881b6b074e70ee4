package dev.onsale.waitingroom;

import dev.onsale.common.ApiException;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;

/**
 * Limits how many new queue numbers one client address takes per minute, counted in Redis so that
 * the limit holds across every instance (a fixed one-minute window: one pipelined INCR + EXPIRE).
 */
final class JoinRateLimiter {

  private final Redis redis;
  private final RedisKeys keys;
  private final int perMinute;

  JoinRateLimiter(Redis redis, RedisKeys keys, int perMinute) {
    this.redis = redis;
    this.keys = keys;
    this.perMinute = perMinute;
  }

  /** Succeeds when the address may join now, else fails with a 429 and when to retry. */
  Future<Void> check(String clientAddress, long now) {
    long minute = now / 60_000;
    String key = keys.joinRateLimit(clientAddress, minute);
    return redis.batch(List.of(
            Request.cmd(Command.INCR).arg(key),
            Request.cmd(Command.EXPIRE).arg(key).arg(120)))
        .compose(replies -> {
          long count = RedisReplies.longOr(replies.get(0), 0);
          if (count <= perMinute) {
            return Future.succeededFuture();
          }
          int retryAfter = (int) Math.max(1, ((minute + 1) * 60_000 - now + 999) / 1000);
          return Future.failedFuture(new ApiException(429, "rate_limited",
              "too many queue joins from your address; try again in " + retryAfter + " seconds",
              new JsonObject().put("retryAfterSeconds", retryAfter), retryAfter));
        });
  }
}
