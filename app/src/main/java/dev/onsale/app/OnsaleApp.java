package dev.onsale.app;

import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.Roles;
import dev.onsale.common.Services;
import dev.onsale.common.Tokens;
import dev.onsale.common.WebModule;
import dev.onsale.common.WebVerticle;
import dev.onsale.ops.Ops;
import dev.onsale.sale.Migrations;
import dev.onsale.sale.SaleCore;
import dev.onsale.sale.payment.Payments;
import dev.onsale.waitingroom.WaitingRoom;
import dev.onsale.workers.Workers;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running Onsale instance: Vert.x, the shared clients and the verticles of its roles. */
public final class OnsaleApp {

  private static final Logger LOG = LoggerFactory.getLogger(OnsaleApp.class);

  private final Services services;

  private OnsaleApp(Services services) {
    this.services = services;
  }

  public Services services() {
    return services;
  }

  public int port() {
    return services.config().httpPort();
  }

  /** Builds Vert.x with metrics, migrates the database, then deploys what the roles ask for. */
  public static Future<OnsaleApp> start(OnsaleConfig config) {
    return start(config, List.of());
  }

  /** As {@link #start(OnsaleConfig)}, with more routes on every web verticle (the demo's mailbox). */
  public static Future<OnsaleApp> start(OnsaleConfig config, List<Function<Services, WebModule>> extraRoutes) {
    PrometheusMeterRegistry registry = Ops.newRegistry();
    Vertx vertx = Ops.vertxBuilder(registry).build();
    Roles roles = config.roles();
    Future<?> migrated = needsMigration(config)
        ? vertx.executeBlocking(() -> Migrations.migrate(config.pgUrl()))
        : Future.succeededFuture();
    return migrated
        .map(ignored -> new Services(
            vertx,
            config,
            Clients.pgPool(vertx, config),
            Clients.redis(vertx, config),
            new RedisKeys(config.redisPrefix()),
            new Tokens(vertx, config.tokenSecret()),
            registry))
        .compose(services -> deployRoles(services, roles, extraRoutes).map(new OnsaleApp(services)))
        .onSuccess(app -> LOG.info("onsale started on port {} with roles {}", config.httpPort(), roles))
        .onFailure(e -> vertx.close());
  }

  private static boolean needsMigration(OnsaleConfig config) {
    Roles roles = config.roles();
    boolean usesDatabase = roles.web() || roles.workers() || roles.relay() || roles.ops();
    return usesDatabase && AppSettings.of(config).migrateOnStart();
  }

  /** The HTTP routes an instance with these roles serves; metrics and health on every instance. */
  public static List<Function<Services, WebModule>> webModules(Roles roles) {
    List<Function<Services, WebModule>> web = new ArrayList<>();
    web.add(Ops::webModule);
    if (roles.web()) {
      // The router tries routes in order: the queue's join and status, the flood's endpoints, first.
      web.add(WaitingRoom::webModule);
      web.add(SaleCore::webModule);
    }
    if (roles.ops()) {
      web.add(Ops::opsPages);
    }
    return web;
  }

  private static Future<Void> deployRoles(Services services, Roles roles, List<Function<Services, WebModule>> extraRoutes) {
    List<Function<Services, WebModule>> web = new ArrayList<>(webModules(roles));
    web.addAll(extraRoutes);
    int instances = AppSettings.of(services.config()).httpInstances();
    Future<?> http = services.vertx().deployVerticle(
        () -> new WebVerticle(services, web), new DeploymentOptions().setInstances(instances));
    return http
        .compose(ignored -> roles.web() ? SaleCore.deploy(services) : Future.succeededFuture())
        .compose(ignored -> roles.web() ? WaitingRoom.deploy(services) : Future.succeededFuture())
        .compose(ignored -> roles.web() ? Ops.deployEventMeters(services) : Future.succeededFuture())
        .compose(ignored -> roles.workers() || roles.relay() ? Workers.deploy(services, () -> Payments.service(services)) : Future.succeededFuture())
        .compose(ignored -> roles.ops() ? Ops.deploy(services) : Future.succeededFuture());
  }

  /**
   * Stops in order: first every verticle drains (the HTTP servers stop accepting and finish the
   * requests in flight, workers finish their jobs) while the pools are still open, then the
   * clients close. Closing Vert.x at once would close the PostgreSQL pool under running requests.
   */
  public Future<Void> stop() {
    Vertx vertx = services.vertx();
    // Undeploy first, all at once: the HTTP servers stop accepting and finish the requests in
    // flight, the workers drain, while the shared clients are still open. Only then close them.
    Future<?> undeployed = Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList());
    Promise<Void> stopped = Promise.promise();
    undeployed.onComplete(result -> {
      if (result.failed()) {
        LOG.warn("undeploying failed: {}", result.cause().toString());
      }
      // Not from this event loop: Vert.x completes close() on the caller's context, which close
      // itself shuts down, and the answer would never arrive. The shared Redis client first, so
      // that its kept connections end as closed, not as lost.
      new Thread(() -> services.redis().close().eventually(vertx::close).onComplete(stopped), "onsale-close").start();
    });
    return stopped.future();
  }
}
