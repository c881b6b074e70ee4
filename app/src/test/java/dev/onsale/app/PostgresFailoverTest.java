package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.sale.InvariantChecker;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary with a synchronous streaming replica, behind haproxy that routes to whichever of them
 * is a primary. Mid-sale the primary's postmaster is killed and the replica promoted; Onsale is
 * not touched. Nothing acknowledged may be lost, and the buyers see only 503 + Retry-After until
 * the new primary takes over.
 */
@DisplayName("PostgreSQL primary killed mid-sale, its synchronous replica promoted")
class PostgresFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresFailoverTest.class);
  /** How long the sale runs with no primary before the replica is promoted (an operator's or a tool's reaction time). */
  private static final long OUTAGE_MILLIS = 2000;

  static final Closer CLOSER = new Closer();
  static ReplicatedPostgres pg;
  static PrimaryProxy proxy;
  static RunningApp app;
  static TestHttp http;

  @BeforeAll
  static void start() {
    assumeTrue(ReplicatedPostgres.available(), "Debian's PostgreSQL 15 cluster tools, the postgres user or root are missing");
    assumeTrue(PrimaryProxy.available(), "haproxy is not installed: run scripts/ensure-test-tools.sh as root");
    pg = CLOSER.add(ReplicatedPostgres.start());
    proxy = CLOSER.add(PrimaryProxy.start(pg.dir(), pg.primaryPort(), pg.replicaPort()));
    OnsaleConfig config = FaultRig.config(ReplicatedPostgres.url(proxy.port(), "onsale"), TestEnv.REDIS_URL,
        FaultRig.freshPrefix(), Map.of(
            "ONSALE_PG_WAIT_SECONDS", "2",
            // Every buyer here comes from 127.0.0.1; orders left unpaid by the outage must not lock them out.
            "ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS", "100000"));
    app = RunningApp.start(CLOSER, config);
    http = app.http;
  }

  @AfterAll
  static void stop() {
    CLOSER.close();
  }

  @Test
  @DisplayName("every acknowledged order and payment survives, buyers get 503 with Retry-After meanwhile, and the pool finds the new primary by itself")
  void failover() {
    long[] free = FaultRig.eventOnSale(http, "pg-failover-free", 5000, false);
    long[] priced = FaultRig.eventOnSale(http, "pg-failover-paid", 5000, false, 1500);
    Map<String, Long> during;
    Map<String, Long> all;
    List<String> ordered = new ArrayList<>();
    List<String> paid;
    long promotionMillis;
    long killToOrderMillis;
    long promotionToOrderMillis;
    try (SaleLoad buyers = new SaleLoad(app.port(), free[0], free[1], 4);
         SaleLoad payers = SaleLoad.paying(app.port(), priced[0], priced[1], 4)) {
      assertThat(buyers.awaitOrders(20, 60)).as("free orders before the fault").isTrue();
      assertThat(payers.awaitOrders(20, 60)).as("paid orders before the fault").isTrue();
      assertThat(proxy.routesTo()).as("haproxy routes to the primary").isEqualTo(pg.primaryPort());

      long killed = System.nanoTime();
      pg.killPrimary();
      Map<String, Long> atKill = counts(buyers, payers);
      DisposableRedis.sleep(OUTAGE_MILLIS);
      during = since(counts(buyers, payers), atKill);
      long promoting = System.nanoTime();
      pg.promoteReplica();
      promotionMillis = millisSince(promoting);

      long firstOrder = firstOrderAfter(promoting, buyers, payers);
      assertThat(firstOrder).as("an order after the promotion began").isNotEqualTo(Long.MAX_VALUE);
      killToOrderMillis = (firstOrder - killed) / 1_000_000;
      promotionToOrderMillis = (firstOrder - promoting) / 1_000_000;
      int paidAtPromotion = payers.paidCodes().size();
      assertThat(buyers.awaitOrders(20, 60)).as("free orders resume without restarting Onsale").isTrue();
      assertThat(payers.awaitOrders(20, 60)).as("paid orders resume without restarting Onsale").isTrue();
      buyers.stop();
      payers.stop();
      assertThat(payers.paidCodes().size()).as("payments confirmed after the promotion").isGreaterThan(paidAtPromotion);

      all = counts(buyers, payers);
      ordered.addAll(buyers.orderCodes());
      ordered.addAll(payers.orderCodes());
      paid = payers.paidCodes();
      LOG.info("PostgreSQL failover: first order {} ms after the kill, {} ms after the promotion began"
          + " (promotion {} ms; no primary for {} ms on purpose) | while no primary {} | whole run {} | slowest answer {} ms",
          killToOrderMillis, promotionToOrderMillis, promotionMillis, OUTAGE_MILLIS, during, all,
          Math.max(buyers.slowestMillis(), payers.slowestMillis()));
    }
    assertThat(SaleLoad.serverErrors(all)).as("5xx other than 503 + Retry-After: %s", all).isZero();
    assertThat(SaleLoad.sum(all, " timeout")).as("requests that hung: %s", all).isZero();
    assertThat(SaleLoad.sum(all, " io")).as("connections dropped: %s", all).isZero();
    assertThat(SaleLoad.sum(during, "503+retry")).as("503 with Retry-After while there is no primary: %s", during)
        .isPositive();

    Map<String, String> stored = statusOnNewPrimary(ordered);
    assertThat(stored.keySet()).as("every order acknowledged to a buyer is on the new primary").containsAll(ordered);
    assertThat(ordered).as("no order code handed out twice").doesNotHaveDuplicates();
    for (String code : paid) {
      assertThat(stored.get(code)).as("order %s, whose payment the buyer was told succeeded", code).isEqualTo("paid");
    }
    for (String code : ordered) {
      assertThat(stored.get(code)).as("order %s", code).isIn("paid", "pending");
    }
    JsonObject invariants = invariantsOnNewPrimary();
    assertThat(invariants.getBoolean("ok")).as("invariants on the new primary %s", invariants).isTrue();
    LOG.info("PostgreSQL failover: orders acknowledged {} (payments confirmed {}), all on the new primary; invariants hold",
        ordered.size(), paid.size());
  }

  /** When the first order after {@code nanos} was answered, waiting up to a minute for one; Long.MAX_VALUE if none came. */
  private static long firstOrderAfter(long nanos, SaleLoad... loads) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    long first = Long.MAX_VALUE;
    while (first == Long.MAX_VALUE && System.nanoTime() < deadline) {
      DisposableRedis.sleep(20);
      for (SaleLoad load : loads) {
        first = Math.min(first, load.firstOrderAfter(nanos).orElse(Long.MAX_VALUE));
      }
    }
    return first;
  }

  private static Map<String, Long> counts(SaleLoad buyers, SaleLoad payers) {
    Map<String, Long> merged = new TreeMap<>(buyers.counts());
    payers.counts().forEach((kind, n) -> merged.merge(kind, n, Long::sum));
    return merged;
  }

  private static Map<String, Long> since(Map<String, Long> now, Map<String, Long> before) {
    Map<String, Long> diff = new TreeMap<>();
    now.forEach((kind, n) -> {
      long d = n - before.getOrDefault(kind, 0L);
      if (d != 0) {
        diff.put(kind, d);
      }
    });
    return diff;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** Order code to status, read on the promoted replica itself rather than through haproxy. */
  private static Map<String, String> statusOnNewPrimary(List<String> codes) {
    return onNewPrimary(pool -> pool.preparedQuery("SELECT code, status FROM orders WHERE code = ANY($1)")
        .execute(Tuple.of(codes.toArray(String[]::new)))
        .map(rows -> {
          Map<String, String> status = new HashMap<>();
          for (Row row : rows) {
            status.put(row.getString("code"), row.getString("status"));
          }
          return status;
        }));
  }

  private static JsonObject invariantsOnNewPrimary() {
    return onNewPrimary(pool -> new InvariantChecker(pool).run());
  }

  private static <T> T onNewPrimary(java.util.function.Function<Pool, io.vertx.core.Future<T>> work) {
    Vertx vertx = Vertx.vertx();
    try {
      OnsaleConfig direct = OnsaleConfig.fromMap(Map.of("ONSALE_PG_URL", ReplicatedPostgres.url(pg.replicaPort(), "onsale")));
      Pool pool = Clients.pgPool(vertx, direct);
      return await(work.apply(pool).eventually(pool::close));
    } finally {
      await(vertx.close());
    }
  }
}
