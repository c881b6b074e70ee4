package dev.onsale.common;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/**
 * Factories for the PostgreSQL pool and Redis clients, bounded everywhere: the claim statement peaks
 * near 8-16 connections on two cores, so excess requests wait in memory, in a bounded queue, and
 * past it get a fast 503.
 */
public final class Clients {

  private Clients() {}

  public static PgConnectOptions pgConnectOptions(String url) {
    return PgConnectOptions.fromUri(url)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .setReconnectAttempts(0);
  }

  public static Pool pgPool(Vertx vertx, OnsaleConfig config) {
    return pgPool(vertx, config, ConnectionSettings.of(config).pgPoolSize());
  }

  /**
   * One connection of its own for a serialized writer, such as a web verticle's reservation claims:
   * one claim batch per category is in flight at a time, so in the shared pool's line each batch
   * would wait behind every other request's statements, and the claims per second would be the
   * batch size divided by that wait, falling as the line grows. Built on a verticle's context, it
   * is closed with that verticle's deployment, and at the latest with Vert.x.
   */
  public static Pool pgConnectionOfItsOwn(Vertx vertx, OnsaleConfig config) {
    return pgPool(vertx, config, 1);
  }

  private static Pool pgPool(Vertx vertx, OnsaleConfig config, int size) {
    ConnectionSettings settings = ConnectionSettings.of(config);
    PoolOptions options = new PoolOptions()
        .setMaxSize(size)
        .setMaxWaitQueueSize(settings.pgWaitQueue())
        .setConnectionTimeout(settings.pgWaitSeconds())
        .setConnectionTimeoutUnit(TimeUnit.SECONDS)
        .setIdleTimeout(60)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setShared(false);
    return PgBuilder.pool()
        .with(options)
        .connectingTo(pgConnectOptions(config.pgUrl()))
        .using(vertx)
        .build();
  }

  /**
   * The client for short commands: on an event loop, a pipelined connection per loop; elsewhere a
   * pool. Blocking stream reads need {@link #dedicatedRedis}.
   */
  public static Redis redis(Vertx vertx, OnsaleConfig config) {
    // A connection per event-loop thread that sends, kept: the bound is only a safety net.
    Redis loops = Redis.createClient(vertx, redisOptions(config)
        .setPoolName("onsale-redis-loops")
        .setMaxPoolSize(1024)
        .setMaxPoolWaiting(1024));
    ConnectionSettings settings = ConnectionSettings.of(config);
    Redis pool = Redis.createClient(vertx, redisOptions(config)
        .setPoolName("onsale-redis")
        .setMaxPoolSize(settings.redisPoolSize())
        .setMaxPoolWaiting(settings.redisWaitQueue()));
    return new EventLoopRedis(loops, pool, config.redis().cluster());
  }

  /** A client of its own, for a consumer whose {@code XREADGROUP BLOCK} holds the connection. */
  public static Redis dedicatedRedis(Vertx vertx, OnsaleConfig config) {
    return Redis.createClient(vertx, redisOptions(config).setMaxPoolSize(1).setMaxPoolWaiting(16));
  }

  private static RedisOptions redisOptions(OnsaleConfig config) {
    // RESP2 everywhere: stream replies are arrays, decided once for every module.
    return config.redis().options()
        .setPreferredProtocolVersion(ProtocolVersion.RESP2);
  }
}
