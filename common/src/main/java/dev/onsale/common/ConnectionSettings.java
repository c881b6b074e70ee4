package dev.onsale.common;

/**
 * How every role reaches PostgreSQL and Redis and where it listens for HTTP, read once per client
 * or server it builds.
 *
 * @param pgPoolSize connections in each PostgreSQL pool ({@code ONSALE_PG_POOL_SIZE}, default 12)
 * @param pgWaitQueue requests that may wait for a PostgreSQL connection before the pool refuses
 *     ({@code ONSALE_PG_WAIT_QUEUE}, default 4,096)
 * @param pgWaitSeconds how long a request waits for a PostgreSQL connection
 *     ({@code ONSALE_PG_WAIT_SECONDS}, default 5)
 * @param redisPoolSize connections of the Redis pool used off the event loops
 *     ({@code ONSALE_REDIS_POOL_SIZE}, default 16)
 * @param redisWaitQueue commands that may wait for one of them ({@code ONSALE_REDIS_WAIT_QUEUE}, default 8,192)
 * @param httpHost the address the HTTP server binds ({@code ONSALE_HTTP_HOST}, default all)
 */
public record ConnectionSettings(int pgPoolSize, int pgWaitQueue, int pgWaitSeconds, int redisPoolSize,
                                 int redisWaitQueue, String httpHost) {

  public static ConnectionSettings of(OnsaleConfig config) {
    return new ConnectionSettings(
        config.intSetting("ONSALE_PG_POOL_SIZE", 12),
        config.intSetting("ONSALE_PG_WAIT_QUEUE", 4096),
        config.intSetting("ONSALE_PG_WAIT_SECONDS", 5),
        config.intSetting("ONSALE_REDIS_POOL_SIZE", 16),
        config.intSetting("ONSALE_REDIS_WAIT_QUEUE", 8192),
        config.setting("ONSALE_HTTP_HOST", "0.0.0.0"));
  }
}
