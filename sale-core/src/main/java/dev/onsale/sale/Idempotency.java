package dev.onsale.sale;

import dev.onsale.common.ApiException;
import dev.onsale.common.ErrorHandler;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.function.Supplier;

/**
 * {@code Idempotency-Key} on buyer POSTs: the first answer to a key is kept for 24 hours and
 * returned again for a repeat; a repeat while the first is still running gets a 409. Keys live in
 * PostgreSQL, next to the reservations they protect, so they survive a Redis outage.
 */
final class Idempotency {

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
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_CLAIM).execute(Tuple.of(scope, key))
        .compose(claimed -> claimed.size() == 1
            ? runFirst(scope, key, work)
            : replay(ctx, scope, key));
  }

  private Future<Reply> runFirst(String scope, String key, Supplier<Future<Reply>> work) {
    return work.get()
        .compose(reply -> store(scope, key, reply).map(reply))
        .recover(failure -> {
          ApiException error = ErrorHandler.toApiException(failure, 500);
          if (isFinal(error)) {
            return store(scope, key, new Reply(error.status(), error.body()))
                .compose(ignored -> Future.failedFuture(failure));
          }
          // Not an answer to keep (a 5xx, an overload, a missing token): let a retry run afresh.
          return pool.preparedQuery(SaleSql.IDEMPOTENCY_FORGET).execute(Tuple.of(scope, key))
              .transform(ignored -> Future.failedFuture(failure));
        });
  }

  private static boolean isFinal(ApiException error) {
    int status = error.status();
    return status < 500 && status != 401 && status != 429 && status != 408;
  }

  private Future<Void> store(String scope, String key, Reply reply) {
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_STORE)
        .execute(Tuple.of(scope, key, reply.status(), reply.body().encode()))
        .mapEmpty();
  }

  private Future<Reply> replay(RoutingContext ctx, String scope, String key) {
    return pool.preparedQuery(SaleSql.IDEMPOTENCY_LOOKUP).execute(Tuple.of(scope, key))
        .compose(rows -> {
          if (rows.size() == 0 || rows.iterator().next().getInteger("status_code") == null) {
            return Future.failedFuture(ApiException.conflict("idempotency_key_in_use",
                "a request with this Idempotency-Key is still being processed"));
          }
          var row = rows.iterator().next();
          ctx.response().putHeader("Idempotent-Replayed", "true");
          return Future.succeededFuture(new Reply(row.getInteger("status_code"), new JsonObject(row.getString("body"))));
        });
  }
}
