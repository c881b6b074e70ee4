package dev.onsale.ops;

import dev.onsale.common.Services;
import dev.onsale.common.WebModule;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** The ops module's entry points: metrics set up when Vert.x is built, its routes and its verticles. */
public final class Ops {

  private Ops() {}

  public static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  /**
   * Vert.x with HTTP server, SQL pool, Redis client and worker pool metrics, and JVM metrics,
   * recorded in {@code registry}. Labels stay the bounded defaults (method and status code, pool
   * type and name); no request path label, whose values a client could make unbounded.
   */
  public static VertxBuilder vertxBuilder(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            // Vert.x keeps metrics backends by registry name, JVM-wide: a name of its own per
            // instance, or a second instance in the same JVM (tests) reports into the first's.
            .setRegistryName("onsale-" + java.util.UUID.randomUUID())
            .setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** On every instance: {@code /metrics}, {@code /health/live}, {@code /health/ready}. */
  public static WebModule webModule(Services services) {
    PrometheusMeterRegistry registry = (PrometheusMeterRegistry) services.meters();
    Health health = new Health(services);
    return router -> {
      router.get("/metrics").handler(ctx -> ctx.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .end(registry.scrape()));
      health.mount(router);
    };
  }

  /** The operator pages ({@code /ops}, {@code /admin}) and the ops API, for the ops role. */
  public static WebModule opsPages(Services services) {
    AlertSettings settings = AlertSettings.from(services.config());
    OpsApi api = new OpsApi(services, settings);
    OpsPages pages = new OpsPages();
    return router -> {
      api.mount(router);
      pages.mount(router);
    };
  }

  /**
   * On every instance that sells (the web role): the per-event metrics, at zero from the start for
   * every published event.
   */
  public static Future<Void> deployEventMeters(Services services) {
    long interval = AlertSettings.from(services.config()).intervalMs();
    return services.vertx()
        .deployVerticle(new EventMetersVerticle(services, interval), new DeploymentOptions())
        .mapEmpty();
  }

  /** The ops role's verticles: the job-queue monitor and its alerts. */
  public static Future<Void> deploy(Services services) {
    AlertSettings settings = AlertSettings.from(services.config());
    return services.vertx()
        .deployVerticle(new QueueMonitorVerticle(services, settings), new DeploymentOptions())
        .mapEmpty();
  }
}
