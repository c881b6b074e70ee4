package dev.onsale.common.testing;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.Services;
import dev.onsale.common.Tokens;
import dev.onsale.common.WebModule;
import dev.onsale.common.WebVerticle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.List;
import java.util.function.Function;

/**
 * An instance's shared clients as the launcher builds them, on a test's configuration, and its web
 * verticle with only the modules a test wants: what each module's server fixture starts from.
 */
public final class TestServices {

  private TestServices() {}

  /** PostgreSQL pool, Redis client, key names and token signer for the config, with meters kept in memory. */
  public static Services of(Vertx vertx, OnsaleConfig config) {
    return of(vertx, config, new SimpleMeterRegistry());
  }

  public static Services of(Vertx vertx, OnsaleConfig config, MeterRegistry meters) {
    return new Services(vertx, config, Clients.pgPool(vertx, config), Clients.redis(vertx, config),
        new RedisKeys(config.redisPrefix()), new Tokens(vertx, config.tokenSecret()), meters);
  }

  /** Without a PostgreSQL pool, on the given Redis client: the waiting room's services. */
  public static Services redisOnly(Vertx vertx, OnsaleConfig config, Redis redis, MeterRegistry meters) {
    return new Services(vertx, config, null, redis, new RedisKeys(config.redisPrefix()),
        new Tokens(vertx, config.tokenSecret()), meters);
  }

  /** The same clients with some settings changed. */
  public static Services with(Services services, java.util.Map<String, String> overrides) {
    return new Services(services.vertx(), services.config().with(overrides), services.pg(), services.redis(),
        services.keys(), services.tokens(), services.meters());
  }

  /** Deploys {@code instances} web verticles serving only the given modules, on the config's port. */
  public static Future<String> deployWeb(Services services, int instances, List<Function<Services, WebModule>> modules) {
    return services.vertx().deployVerticle(() -> new WebVerticle(services, modules),
        new DeploymentOptions().setInstances(instances));
  }
}
