package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.netty.handler.codec.TooLongFrameException;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One HTTP server instance per event loop, serving the routes of every web module on one router.
 * Bodies are bounded, every failure becomes a JSON error, and stop drains in-flight requests.
 */
public final class WebVerticle extends VerticleBase {

  public static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int SHUTDOWN_SECONDS = 10;

  private final Services services;
  private final List<Function<Services, WebModule>> modules;
  private HttpServer server;

  public WebVerticle(Services services, List<Function<Services, WebModule>> modules) {
    this.services = services;
    this.modules = modules;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    List<WebModule> mounted = modules.stream().map(module -> module.apply(services)).toList();
    List<String> rawBodyPaths = mounted.stream().flatMap(module -> module.rawBodyPaths().stream()).toList();
    JsonBodies jsonBodies = new JsonBodies(rawBodyPaths);
    router.route().handler(SecurityHeaders.INSTANCE);
    router.route().handler(jsonBodies.mediaType());
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.route().handler(jsonBodies);
    mounted.forEach(module -> module.mount(router));
    AllowedMethods allowed = new AllowedMethods(router);
    router.route().last().handler(ctx -> notServed(ctx, allowed));
    router.route().failureHandler(new ErrorHandler());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(services.config().httpPort())
        .setHost(ConnectionSettings.of(services.config()).httpHost())
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(true)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16384));
    return server
        .connectionHandler(HttpGuard::install)
        .requestHandler(router)
        .invalidRequestHandler(WebVerticle::invalidRequest)
        .listen();
  }

  /** No route answered: a path served with other methods is a 405 naming them, anything else a 404. */
  private static void notServed(RoutingContext ctx, AllowedMethods allowed) {
    Set<String> methods = allowed.on(ctx.normalizedPath());
    if (methods.isEmpty() || methods.contains(ctx.request().method().name())) {
      ctx.fail(ApiException.notFound("path " + ctx.normalizedPath()));
      return;
    }
    ctx.response().putHeader("Allow", AllowedMethods.header(methods));
    ctx.fail(new ApiException(405, "method_not_allowed", ctx.request().method().name() + " is not served on this path"));
  }

  /**
   * A request the HTTP decoder refused (an overlong line or header, a broken request line) never
   * reaches the router: answer it here as the same JSON error, with the headers every answer has.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    String text = cause == null ? "" : String.valueOf(cause.getMessage());
    ApiException error;
    if (cause instanceof TooLongFrameException && text.startsWith("An HTTP line is larger than")) {
      error = new ApiException(414, "uri_too_long", "the request line is too long");
    } else if (cause instanceof TooLongFrameException && text.startsWith("HTTP header is larger than")) {
      error = new ApiException(431, "headers_too_large", "the request headers are too large");
    } else if (cause instanceof HttpGuard.UnsupportedVersion) {
      error = new ApiException(505, "http_version_not_supported", cause.getMessage() + "; use HTTP/1.1");
    } else {
      error = ApiException.badRequest("bad_request", "the request could not be read");
    }
    HttpServerResponse response = request.response();
    SecurityHeaders.setOn(response.headers())
        .set("Content-Type", "application/json")
        .set("Cache-Control", "no-store")
        .set("Connection", "close");
    response.setStatusCode(error.status()).end(error.body().encode()).onComplete(done -> request.connection().close());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_SECONDS, TimeUnit.SECONDS);
  }
}
