package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.ApiException;
import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Idempotency keys when the database is too busy to keep an answer")
class IdempotencyTest {

  private static final String SCOPE = "reserve:test";

  private Vertx vertx;
  private Pool pool;
  private Pool locker;

  @BeforeEach
  void start() {
    OnsaleConfig config = TestEnv.freshConfig();
    Migrations.migrate(config.pgUrl());
    vertx = Vertx.vertx();
    // Idempotency's statements give up after 300 ms behind a lock: PostgreSQL's 55P03, an overload (503).
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(Clients.pgConnectOptions(config.pgUrl()).addProperty("lock_timeout", "300"))
        .using(vertx).build();
    locker = Clients.pgPool(vertx, config);
  }

  @AfterEach
  void stop() {
    await(vertx.close());
  }

  @Test
  @DisplayName("work that succeeded is answered even when its answer cannot be kept, and a repeat never runs it again")
  void doneWorkIsAnsweredWhenItsAnswerCannotBeKept() {
    Idempotency idempotency = new Idempotency(pool);
    AtomicInteger runs = new AtomicInteger();
    SqlConnection lockHolder = await(locker.getConnection());
    Transaction lock = await(lockHolder.begin());
    try {
      Reply answer = await(idempotency.run(SCOPE, "key-1", "hash", () -> {
        runs.incrementAndGet();
        // While the work runs, another transaction locks the key's row: keeping the answer times out.
        return lockHolder.preparedQuery("SELECT 1 FROM idempotency_keys WHERE scope = $1 AND key = $2 FOR UPDATE")
            .execute(Tuple.of(SCOPE, "key-1"))
            .map(rows -> new Reply(201, new JsonObject().put("reservationId", "r-1")));
      }, () -> { }));

      assertThat(answer.status()).isEqualTo(201);
      assertThat(answer.body().getString("reservationId")).isEqualTo("r-1");
    } finally {
      await(lock.rollback());
      await(lockHolder.close());
    }

    Throwable repeat = await(idempotency.run(SCOPE, "key-1", "hash", () -> {
      runs.incrementAndGet();
      return Future.succeededFuture(new Reply(201, new JsonObject().put("reservationId", "r-2")));
    }, () -> { }).transform(done -> Future.succeededFuture(done.cause())));

    assertThat(runs).as("the work ran once").hasValue(1);
    assertThat(repeat).isInstanceOf(ApiException.class);
    assertThat(((ApiException) repeat).status()).isEqualTo(409);
    assertThat(((ApiException) repeat).body().getString("error")).isEqualTo("idempotency_key_in_use");
  }

  @Test
  @DisplayName("a kept answer is replayed to a repeat without running the work again")
  void keptAnswerIsReplayed() {
    Idempotency idempotency = new Idempotency(pool);
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger replays = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      Reply answer = await(idempotency.run(SCOPE, "key-2", "hash", () -> {
        runs.incrementAndGet();
        return Future.succeededFuture(new Reply(201, new JsonObject().put("reservationId", "r-3")));
      }, replays::incrementAndGet));
      assertThat(answer.status()).isEqualTo(201);
      assertThat(answer.body().getString("reservationId")).isEqualTo("r-3");
    }
    assertThat(runs).hasValue(1);
    assertThat(replays).hasValue(1);
  }
}
