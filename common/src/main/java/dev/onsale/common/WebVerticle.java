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
import java.util.List;
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
    router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    router.route().handler(SecurityHeaders.INSTANCE);
    modules.forEach(module -> module.apply(services).mount(router));
    router.route().last().handler(ctx -> ctx.fail(ApiException.notFound("path " + ctx.normalizedPath())));
    router.route().failureHandler(new ErrorHandler());
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(services.config().httpPort())
        .setHost(services.config().setting("ONSALE_HTTP_HOST", "0.0.0.0"))
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(true)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16384));
    return server.requestHandler(router).invalidRequestHandler(WebVerticle::invalidRequest).listen();
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
