package dev.onsale.ops;

import dev.onsale.common.Json;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Liveness (the process answers) and readiness (PostgreSQL and Redis answer within a short
 * timeout). A load balancer or Kubernetes takes an instance out of rotation on 503, which names
 * the dependency that failed.
 */
final class Health implements WebModule {

  static final long CHECK_TIMEOUT_MS = 2_000;
  private static final String PG_CHECK = "SELECT 1";

  private final Services services;

  Health(Services services) {
    this.services = services;
  }

  @Override
  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> Json.send(ctx, 200, new JsonObject().put("status", "up")));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    Future<String> pg = check(services.pg().query(PG_CHECK).execute().mapEmpty());
    Future<String> redis = check(services.redisApi().ping(List.of()).mapEmpty());
    Future.join(pg, redis).onComplete(ignored -> {
      JsonObject checks = new JsonObject().put("postgresql", pg.result()).put("redis", redis.result());
      List<String> failed = checks.fieldNames().stream().filter(name -> !"up".equals(checks.getString(name))).sorted().toList();
      JsonObject body = new JsonObject().put("status", failed.isEmpty() ? "up" : "down").put("checks", checks);
      if (!failed.isEmpty()) {
        body.put("error", "not_ready").put("message", String.join(" and ", failed) + " not answering");
        ctx.response().putHeader("Retry-After", "5");
      }
      Json.send(ctx, failed.isEmpty() ? 200 : 503, body);
    });
  }

  /** "up", or why not; never fails, so both checks always report. */
  private static Future<String> check(Future<Object> probe) {
    return probe.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(ignored -> "up")
        .otherwise(failure -> "down: " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()));
  }
}
