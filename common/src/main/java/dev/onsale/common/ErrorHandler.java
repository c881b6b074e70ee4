package dev.onsale.common;

import io.vertx.core.Handler;
import io.vertx.core.VertxException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.sqlclient.DatabaseException;
import java.net.ConnectException;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become responses. Every failure is answered as
 * {@code {"error","message"}} JSON; the caller's mistakes are 4xx, an overloaded or unreachable
 * backend is 503 with {@code Retry-After}, anything else is a 500 and is logged once.
 */
public final class ErrorHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException) {
      // The client's connection closed before its request was read (it left, or sent a body the
      // decoder refused and was answered 400 on the spot): nobody to answer, nothing went wrong here.
      LOG.debug("connection closed during {} {}", ctx.request().method(), ctx.request().path());
      ctx.response().reset();
      return;
    }
    ApiException error = toApiException(ctx.failure(), ctx.statusCode());
    if (error.status() >= 500 && error.status() != 503) {
      LOG.error("request failed: {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
    } else if (isBrokenRequest(ctx.failure())) {
      // The client sent something the HTTP decoder could not read (a bad chunk size, say): its
      // mistake, not ours; the connection is already gone.
      LOG.debug("unreadable request: {} {}: {}", ctx.request().method(), ctx.request().path(), String.valueOf(ctx.failure()));
    }
    send(ctx, error);
  }

  public static void send(RoutingContext ctx, ApiException error) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten() || response.closed()) {
      response.reset();
      return;
    }
    // Failures raised before the security headers' own handler ran (no Host, a body over the
    // limit) carry them too.
    SecurityHeaders.setOn(response.headers());
    if (error.retryAfterSeconds() != null) {
      response.putHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
    }
    response
        .setStatusCode(error.status())
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(error.body().encode());
  }

  public static ApiException toApiException(Throwable failure, int statusCode) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof DecodeException) {
      return ApiException.badRequest("malformed_json", "the request body is not valid JSON");
    }
    if (failure instanceof HttpException http) {
      return fromStatus(http.getStatusCode(), http.getPayload());
    }
    if (failure == null) {
      return fromStatus(statusCode, null);
    }
    if (isBrokenRequest(failure)) {
      return ApiException.badRequest("bad_request", "the request could not be read");
    }
    if (statusCode >= 400 && statusCode < 500) {
      // Vert.x Web's own refusals (no Host header, an undecodable query string) carry their status.
      return fromStatus(statusCode, null);
    }
    if (isOverload(failure)) {
      return ApiException.unavailable("overloaded", "the server is busy, try again shortly", 1);
    }
    if (isBackendDown(failure)) {
      return ApiException.unavailable("backend_unavailable", "a backing service is unavailable, try again shortly", 2);
    }
    return new ApiException(500, "internal_error", "unexpected error");
  }

  private static ApiException fromStatus(int status, String payload) {
    return switch (status) {
      case 400 -> ApiException.badRequest("bad_request", payload == null ? "bad request" : payload);
      case 401 -> ApiException.unauthorized("a valid token is required");
      case 403 -> new ApiException(403, "forbidden", "forbidden");
      case 404 -> ApiException.notFound("resource");
      case 405 -> new ApiException(405, "method_not_allowed", "method not allowed on this path");
      case 413 -> new ApiException(413, "body_too_large", "the request body is too large");
      case 415 -> new ApiException(415, "unsupported_media_type", "send application/json");
      case 503 -> ApiException.unavailable("unavailable", "service unavailable", 1);
      default -> status >= 400 && status < 500
          ? new ApiException(status, "bad_request", "bad request")
          : new ApiException(500, "internal_error", "unexpected error");
    };
  }

  /**
   * The HTTP decoder refused part of the request after its head was read (a chunk size that is no
   * number, a chunk over the limit): Netty's decoder exceptions and their causes.
   */
  static boolean isBrokenRequest(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof io.netty.handler.codec.DecoderException || t instanceof io.netty.handler.codec.PrematureChannelClosureException
          || (t instanceof NumberFormatException && String.valueOf(t.getMessage()).toLowerCase().contains("chunk"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The SQL pool's failure for a request that waited in its queue longer than its connection
   * timeout ({@code ONSALE_PG_WAIT_SECONDS}): a plain {@link VertxException}, always this text
   * (vertx-sql-client's {@code SqlConnectionPool}).
   */
  static final String SQL_POOL_WAIT_TIMEOUT = "Timeout waiting for connection";

  /**
   * The same wait running out for a connection taken for several statements ({@code getConnection},
   * {@code withConnection}, {@code withTransaction}): the pool's request fails with this bare text,
   * as a {@link VertxException} (vertx-sql-client 5's {@code SqlConnectionPool} pool request).
   */
  static final String SQL_POOL_REQUEST_TIMEOUT = "Timeout";

  /** A Redis connection's queue of commands waiting for their replies is full (RedisOptions.maxWaitingHandlers). */
  static final String REDIS_REPLY_QUEUE_FULL = "Redis waiting queue is full";

  /** PostgreSQL cancelled a statement ({@code statement_timeout}) or gave up waiting for a lock ({@code lock_timeout}). */
  private static final Set<String> PG_TIMEOUT_STATES = Set.of("57014", "55P03");

  /**
   * The server is at capacity: a pool's bounded wait queue is full (PostgreSQL's, Redis's, an HTTP
   * client's), a wait in the SQL pool's queue or a {@code Future.timeout} ran out, or PostgreSQL timed
   * a statement out. Decided by the failure's type or the pools' own signals, never by any text that
   * mentions a timeout, so that a bug elsewhere does not read as overload.
   */
  static boolean isOverload(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectionPoolTooBusyException
          || t instanceof TimeoutException
          || (t instanceof VertxException && (SQL_POOL_WAIT_TIMEOUT.equals(t.getMessage())
              || SQL_POOL_REQUEST_TIMEOUT.equals(t.getMessage())))
          || REDIS_REPLY_QUEUE_FULL.equals(t.getMessage())
          || (t instanceof DatabaseException db && PG_TIMEOUT_STATES.contains(db.getSqlState()))) {
        return true;
      }
    }
    return false;
  }

  /**
   * A failure of the backend rather than of the request. Besides lost and refused connections: a
   * write that reached a PostgreSQL standby (SQLSTATE 25006, read_only_sql_transaction), which is
   * what a connection point that moves gives for a moment during a failover, before it points at the
   * promoted primary.
   */
  static boolean isBackendDown(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String text = String.valueOf(t.getMessage()).toLowerCase();
      if (t instanceof ConnectException
          || (t instanceof DatabaseException db && "25006".equals(db.getSqlState()))
          || t instanceof java.nio.channels.ClosedChannelException
          || t.getClass().getSimpleName().equals("ClosedConnectionException")
          || text.contains("connection refused")
          || text.contains("connection reset")
          || text.contains("connection is closed")
          || text.contains("closed connection")
          || text.contains("the database system is")
          || text.contains("terminating connection")
          || text.contains("loading the dataset")
          || text.contains("failed to connect")
          || text.contains("pool closed")
          || text.contains("connection is not active")
          || text.contains("connection may have been lost")
          // A Redis failover under way: the old master's socket breaks, the sentinels or the
          // cluster cannot name a master yet, or a demoted master refuses writes. A batch reports
          // its commands' failures inside one message ("ERR [0] ...").
          || text.contains("broken pipe")
          || text.contains("connection_closed")
          || text.contains("closedchannelexception")
          || text.contains("cannot connect to any of the provided endpoints")
          || text.contains("readonly you can't write")
          || text.contains("masterdown ")
          || text.contains("clusterdown ")
          || text.contains("tryagain ")) {
        return true;
      }
    }
    return false;
  }
}
