package dev.onsale.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

/**
 * The clients and settings every module's verticles share, built once by the launcher. The pools
 * are bounded and meant to be shared; per-verticle state stays in the verticles.
 *
 * <p>{@code pg} belongs to the sale core, workers and ops; the waiting room never uses it.
 */
public record Services(
    Vertx vertx,
    OnsaleConfig config,
    Pool pg,
    Redis redis,
    RedisKeys keys,
    Tokens tokens,
    MeterRegistry meters) {

  public RedisAPI redisApi() {
    return RedisAPI.api(redis);
  }
}
