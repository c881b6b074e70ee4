package dev.onsale.sale;

import dev.onsale.common.ApiException;
import dev.onsale.common.ErrorHandler;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Idempotency-Key} on buyer POSTs: the first answer to a key is kept for 24 hours and
 * returned again for a repeat with the same body; a repeat with a different body is a 422
 * {@code idempotency_key_reused} (as Stripe does), a repeat while the first is still running a 409.
 * Keys live in PostgreSQL, next to the reservations they protect, so they survive a Redis outage.
 * The kept answer is stored as {@code {"requestHash": <SHA-256 of the request body>, "reply":
 * <answer>}}; a row kept before hashes were stored (a bare answer) is replayed as it is.
 */
final class Idempotency {

  private static final Logger LOG = LoggerFactory.getLogger(Idempotency.class);

  static final String HEADER = "Idempotency-Key";
  private static final int MAX_KEY_LENGTH = 200;

  private final Pool pool;

  Idempotency(Pool pool) {
    this.pool = pool;
  }

  Future<Reply> run(RoutingContext ctx, String scope, Supplier<Future<Reply>> work) {
    String key = ctx.request().getHeader(HEADER);
    if (key == null) {
      return work.get();
    }
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c > 32 && c < 127)) {
      return Future.failedFuture(ApiException.badRequest("invalid_idempotency_key",
          "Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " printable ASCII characters"));
    }
    return run(scope, key, requestHash(ctx.body().buffer()), work,
        () -> ctx.response().putHeader("Idempotent-Replayed", "true"));
  }

  /** The work under a valid key and its request's hash; {@code onReplay} runs when a kept answer is sent again. */
  Future<Reply> run(String scope, String key, String requestHash, Supplier<Future<Reply>> work, Runnable onReplay) {
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_CLAIM).execute(Tuple.of(scope, key))
        .compose(claimed -> claimed.size() == 1
            ? runFirst(scope, key, requestHash, work)
            : replay(scope, key, requestHash, onReplay));
  }

  static String requestHash(Buffer body) {
    try {
      byte[] bytes = body == null ? new byte[0] : body.getBytes();
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Future<Reply> runFirst(String scope, String key, String requestHash, Supplier<Future<Reply>> work) {
    return work.get()
        .transform(done -> done.succeeded()
            ? keep(scope, key, requestHash, done.result())
            : failed(scope, key, requestHash, done.cause()));
  }

  /**
   * The work is done, so its answer goes out whether or not it could be kept. Answering the failure
   * to keep it instead (a pool too busy, a 503) would send the buyer's retry to do the work again:
   * a second reservation for an admission that already holds one ({@code 409 admission_in_use}),
   * the first held for nobody. A key whose answer could not be kept stays claimed: a repeat gets
   * {@code 409 idempotency_key_in_use} rather than a second run.
   */
  private Future<Reply> keep(String scope, String key, String requestHash, Reply reply) {
    return store(scope, key, requestHash, reply).transform(stored -> {
      if (stored.failed()) {
        LOG.warn("answered {} for idempotency key {} of {} without keeping the answer: {}", reply.status(), key, scope,
            stored.cause().toString());
      }
      return Future.succeededFuture(reply);
    });
  }

  private Future<Reply> failed(String scope, String key, String requestHash, Throwable failure) {
    ApiException error = ErrorHandler.toApiException(failure, 500);
    if (isFinal(error)) {
      // The buyer's mistake is the answer, kept or not.
      return store(scope, key, requestHash, new Reply(error.status(), error.body()))
          .transform(ignored -> Future.failedFuture(failure));
    }
    // Not an answer to keep (a 5xx, an overload, a missing token): let a retry run afresh.
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_FORGET).execute(Tuple.of(scope, key))
        .transform(ignored -> Future.failedFuture(failure));
  }

  private static boolean isFinal(ApiException error) {
    int status = error.status();
    return status < 500 && status != 401 && status != 429 && status != 408;
  }

  private Future<Void> store(String scope, String key, String requestHash, Reply reply) {
    JsonObject kept = new JsonObject().put("requestHash", requestHash).put("reply", reply.body());
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_STORE)
        .execute(Tuple.of(scope, key, reply.status(), kept.encode()))
        .mapEmpty();
  }

  private Future<Reply> replay(String scope, String key, String requestHash, Runnable onReplay) {
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_LOOKUP).execute(Tuple.of(scope, key))
        .compose(rows -> {
          if (rows.size() == 0 || rows.iterator().next().getInteger("status_code") == null) {
            return Future.failedFuture(ApiException.conflict("idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed"));
          }
          var row = rows.iterator().next();
          JsonObject kept = new JsonObject(row.getString("body"));
          boolean wrapped = kept.containsKey("requestHash") && kept.getValue("reply") instanceof JsonObject;
          if (wrapped && !MessageDigest.isEqual(kept.getString("requestHash").getBytes(StandardCharsets.US_ASCII),
              requestHash.getBytes(StandardCharsets.US_ASCII))) {
            return Future.failedFuture(new ApiException(422, "idempotency_key_reused",
                "this Idempotency-Key was used with a different request body; use a new key for a new request"));
          }
          onReplay.run();
          return Future.succeededFuture(new Reply(row.getInteger("status_code"), wrapped ? kept.getJsonObject("reply") : kept));
        });
  }
}
