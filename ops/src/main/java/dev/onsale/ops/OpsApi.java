package dev.onsale.ops;

import dev.onsale.common.AdminAuth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.Json;
import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;

/**
 * The operator's JSON API behind the ops page, organizer token required. Every answer is read
 * fresh from Redis and PostgreSQL, so any ops instance answers the same.
 */
final class OpsApi implements WebModule {

  private final Services services;
  private final AlertSettings settings;
  private final QueueSampler sampler;
  private final QueueAlerts alerts;
  private final OverviewReader overview;

  OpsApi(Services services, AlertSettings settings) {
    this.services = services;
    this.settings = settings;
    this.sampler = new QueueSampler(services.redis(), services.keys());
    this.alerts = new QueueAlerts(services.redisApi(), services.keys(), settings);
    this.overview = new OverviewReader(services);
  }

  @Override
  public void mount(Router router) {
    AdminAuth auth = new AdminAuth(services.config().adminToken());
    router.get("/api/v1/ops/queues").handler(auth).handler(this::queues);
    router.get("/api/v1/ops/overview").handler(auth).handler(this::overview);
  }

  private void queues(RoutingContext ctx) {
    queuesJson()
        .onSuccess(queues -> Json.send(ctx, 200, new JsonObject()
            .put("now", System.currentTimeMillis())
            .put("queues", queues)))
        .onFailure(ctx::fail);
  }

  private void overview(RoutingContext ctx) {
    Future<JsonArray> queues = queuesJson();
    Future<JsonArray> events = overview.events();
    Future.all(queues, events)
        .onSuccess(all -> Json.send(ctx, 200, new JsonObject()
            .put("now", System.currentTimeMillis())
            .put("events", events.result())
            .put("queues", queues.result())))
        .onFailure(ctx::fail);
  }

  private Future<JsonArray> queuesJson() {
    Future<List<QueueStats>> samples = sampler.sampleAll();
    Future<Map<JobQueue, QueueAlerts.Firing>> firing = alerts.firing();
    return Future.all(samples, firing).map(all -> {
      JsonArray queues = new JsonArray();
      for (QueueStats stats : samples.result()) {
        QueueAlerts.Firing alert = firing.result().getOrDefault(stats.queue(), QueueAlerts.Firing.NONE);
        queues.add(stats.toJson()
            .put("threshold", settings.threshold(stats.queue()))
            .put("clearsAt", settings.clearBelow(stats.queue()))
            .put("alert", alert.active() ? "firing" : "ok")
            .put("alertReason", alert.active() ? alert.main().tag() : null)
            .put("alertReasons", new JsonArray(alert.tags()))
            .put("alertSince", alert.since()));
      }
      return queues;
    });
  }
}
