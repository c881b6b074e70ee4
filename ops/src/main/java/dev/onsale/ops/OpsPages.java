package dev.onsale.ops;

import dev.onsale.common.WebModule;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The static operator pages: {@code /ops} and {@code /admin}, their scripts and styles, and the
 * charting library from its WebJar, all served from the jar (no CDN, and no inline script, so the
 * CSP holds). The pages carry no secret: they ask for the organizer token and send it as a Bearer
 * header with every API call, which is where access is checked.
 */
final class OpsPages implements WebModule {

  static final String ASSETS = "/ops-assets/";
  /** uPlot, from org.webjars.npm:uplot (see ops/pom.xml). */
  static final String UPLOT_DIST = "META-INF/resources/webjars/uplot/1.6.30/dist";

  @Override
  public void mount(Router router) {
    router.get("/ops").handler(ctx -> page(ctx, "ops.html"));
    router.get("/admin").handler(ctx -> page(ctx, "admin.html"));
    router.get(ASSETS + "vendor/uplot/*").handler(StaticHandler.create(UPLOT_DIST).setMaxAgeSeconds(86_400));
    router.get(ASSETS + "*").handler(StaticHandler.create("ops-webroot").setMaxAgeSeconds(300));
  }

  private static void page(RoutingContext ctx, String file) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .sendFile("ops-webroot/" + file)
        .onFailure(ctx::fail);
  }
}
