package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("PostgreSQL restarted mid-sale")
class PostgresRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresRestartTest.class);

  static final Closer CLOSER = new Closer();
  static DisposablePostgres pg;
  static RunningApp app;
  static TestHttp http;

  @BeforeAll
  static void start() {
    assumeTrue(DisposablePostgres.available(), "PostgreSQL 15 binaries or the postgres user are missing");
    pg = CLOSER.add(DisposablePostgres.start());
    OnsaleConfig config = FaultRig.config(pg.url("onsale"), TestEnv.REDIS_URL, FaultRig.freshPrefix(),
        Map.of("ONSALE_PG_WAIT_SECONDS", "2"));
    app = RunningApp.start(CLOSER, config);
    http = app.http;
  }

  @AfterAll
  static void stop() {
    CLOSER.close();
  }

  @Test
  @DisplayName("buyers get fast 503s with Retry-After, no partial order, and the sale resumes by itself")
  void failsFastAndRecovers() {
    long[] event = FaultRig.eventOnSale(http, "pg-restart", 5000, false);
    Map<String, Long> before;
    Map<String, Long> during;
    Map<String, Long> after;
    List<String> codes;
    try (SaleLoad load = new SaleLoad(app.port(), event[0], event[1], 8)) {
      assertThat(load.awaitOrders(30, 60)).as("orders before the fault").isTrue();
      pg.stop();
      before = load.counts();
      DisposableRedis.sleep(3000);
      during = load.since(before);
      Map<String, Long> beforeRestart = load.counts();
      pg.restart();
      long restarted = System.nanoTime();
      assertThat(load.awaitOrders(1, 60)).as("a first order after the restart").isTrue();
      long firstOrderMillis = (System.nanoTime() - restarted) / 1_000_000;
      assertThat(load.awaitOrders(30, 60)).as("orders resume without restarting Onsale").isTrue();
      after = load.since(beforeRestart);
      load.stop();
      codes = load.orderCodes();
      LOG.info("PostgreSQL restart: before {} | while down {} | after restart {} | first order {} ms after the"
          + " server was back | slowest answer {} ms", before, during, after, firstOrderMillis, load.slowestMillis());
      Map<String, Long> all = load.counts();
      assertThat(SaleLoad.serverErrors(all)).as("5xx other than 503 + Retry-After: %s", all).isZero();
      assertThat(SaleLoad.sum(all, " timeout")).as("requests that hung: %s", all).isZero();
      assertThat(SaleLoad.sum(all, " io")).as("connections dropped: %s", all).isZero();
    }
    assertThat(SaleLoad.sum(during, "503+retry")).as("503 with Retry-After while PostgreSQL is down: %s", during)
        .isPositive();
    assertThat(during.getOrDefault("order 201", 0L) + during.getOrDefault("reserve 201", 0L))
        .as("nothing succeeds while PostgreSQL is down: %s", during)
        .isZero();

    JsonObject invariants = FaultRig.invariants(http);
    assertThat(invariants.getBoolean("ok")).as("invariants %s", invariants).isTrue();
    Set<String> stored = new HashSet<>();
    for (Row row : await(app.services().pg().query(
        "SELECT o.code FROM orders o WHERE o.status = 'paid'").execute())) {
      stored.add(row.getString(0));
    }
    assertThat(stored).as("every order a buyer was told about is stored (none lost)").containsAll(codes);
    assertThat(new HashSet<>(codes)).as("no order code handed out twice").hasSize(codes.size());
    LOG.info("PostgreSQL restart: orders confirmed to buyers {}, orders stored {}", codes.size(), stored.size());
  }
}
