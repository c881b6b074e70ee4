package dev.onsale.common;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Overload is told by what the pools and timers really fail with, produced here by real pools, not
 * by any message that mentions a timeout.
 */
@DisplayName("A server at capacity")
class ErrorHandlerOverloadTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  @DisplayName("the SQL pool's full wait queue and a wait in it that ran out are both 503 overloaded with Retry-After")
  void sqlPool() {
    withTheOnlyConnectionHeld(1, pool -> {
      Future<?> waiting = pool.query("SELECT 1").execute();
      Future<?> refused = pool.query("SELECT 1").execute();

      assertOverloaded(failureOf(refused));
      Throwable timedOut = failureOf(waiting);
      assertThat(timedOut).isInstanceOf(VertxException.class).hasMessage(ErrorHandler.SQL_POOL_WAIT_TIMEOUT);
      assertOverloaded(timedOut);
    });
  }

  @Test
  @DisplayName("a wait for a connection of its own (several statements, a transaction) that ran out is 503 overloaded")
  void sqlPoolConnectionWait() {
    withTheOnlyConnectionHeld(4, pool -> {
      Future<?> connection = pool.getConnection();
      Future<?> transaction = pool.withTransaction(conn -> conn.query("SELECT 1").execute());

      for (Throwable timedOut : new Throwable[] {failureOf(connection), failureOf(transaction)}) {
        assertThat(timedOut).isInstanceOf(VertxException.class).hasMessage(ErrorHandler.SQL_POOL_REQUEST_TIMEOUT);
        assertOverloaded(timedOut);
      }
    });
  }

  /** A SQL pool of one connection, held while {@code whileHeld} runs; a wait for it gives up after a second. */
  private void withTheOnlyConnectionHeld(int waitQueue, java.util.function.Consumer<Pool> whileHeld) {
    OnsaleConfig config = TestEnv.freshConfig(Map.of(
        "ONSALE_PG_POOL_SIZE", "1", "ONSALE_PG_WAIT_QUEUE", String.valueOf(waitQueue), "ONSALE_PG_WAIT_SECONDS", "1"));
    Pool pool = Clients.pgPool(vertx, config);
    try {
      SqlConnection held = await(pool.getConnection());
      whileHeld.accept(pool);
      await(held.close());
    } finally {
      await(pool.close());
    }
  }

  @Test
  @DisplayName("PostgreSQL cancelling a statement at its statement_timeout is 503 overloaded")
  void statementTimeout() {
    OnsaleConfig config = TestEnv.freshConfig();
    Pool pool = Clients.pgPool(vertx, config);
    try {
      Throwable cancelled = failureOf(pool.withConnection(conn -> conn.query("SET statement_timeout = '50ms'").execute()
          .compose(ignored -> conn.query("SELECT pg_sleep(2)").execute())));
      assertThat(cancelled).isInstanceOf(PgException.class);
      assertOverloaded(cancelled);
    } finally {
      await(pool.close());
    }
  }

  @Test
  @DisplayName("the Redis pool's full wait queue is 503 overloaded")
  void redisPool() {
    Redis redis = Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(TestEnv.REDIS_URL)
        .setMaxPoolSize(1)
        .setMaxPoolWaiting(1));
    try {
      RedisConnection held = await(redis.connect());
      Future<?> waiting = redis.send(Request.cmd(Command.PING));
      Future<?> refused = redis.send(Request.cmd(Command.PING));

      assertOverloaded(failureOf(refused));
      held.close();
      await(waiting);
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a Future.timeout that ran out is 503 overloaded, wrapped or not")
  void futureTimeout() {
    Throwable timedOut = failureOf(Promise.promise().future().timeout(10, TimeUnit.MILLISECONDS));
    assertThat(timedOut).isInstanceOf(TimeoutException.class);
    assertOverloaded(timedOut);
    assertOverloaded(new IllegalStateException("while reserving", timedOut));
    assertOverloaded(new VertxException(ErrorHandler.REDIS_REPLY_QUEUE_FULL));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "timeout must be >= 0",
      "the webhook's timeout setting is not a number",
      "Timeout waiting for the render of ticket 7",
      "session timeout",
  })
  @DisplayName("a failure whose message only mentions a timeout is a 500, not overload")
  void textIsNotOverload(String message) {
    for (Throwable failure : new Throwable[] {
        new IllegalStateException(message), new VertxException(message),
        new PgException(message, "ERROR", "22023", null)}) {
      ApiException answer = ErrorHandler.toApiException(failure, 500);
      assertThat(answer.status()).as(failure.toString()).isEqualTo(500);
      assertThat(answer.body().getString("error")).isEqualTo("internal_error");
    }
  }

  private static void assertOverloaded(Throwable failure) {
    ApiException answer = ErrorHandler.toApiException(failure, 500);
    assertThat(answer.status()).as(String.valueOf(failure)).isEqualTo(503);
    assertThat(answer.body().getString("error")).isEqualTo("overloaded");
    assertThat(answer.retryAfterSeconds()).isPositive();
  }

  private static Throwable failureOf(Future<?> future) {
    Throwable failure = await(future.transform(done -> Future.succeededFuture(done.cause())));
    assertThat(failure).as("the future failed").isNotNull();
    return failure;
  }
}
