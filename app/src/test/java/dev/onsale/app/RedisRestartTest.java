package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.Admissions;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Redis restarted mid-sale")
class RedisRestartTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRestartTest.class);
  private static final Closer TO_CLOSE = new Closer();

  @BeforeAll
  static void check() {
    assumeTrue(DisposableRedis.available(), "redis-server is missing");
  }

  @AfterAll
  static void cleanUp() {
    TO_CLOSE.closeAll().forEach(e -> LOG.warn("clean-up: {}", e.toString()));
  }

  /** An instance on the shared PostgreSQL (its own database) and a disposable Redis. */
  private static OnsaleApp startApp(DisposableRedis redis) {
    return startApp(redis, Map.of());
  }

  private static OnsaleApp startApp(DisposableRedis redis, Map<String, String> more) {
    Map<String, String> settings = new java.util.HashMap<>(Map.of(
        "ONSALE_REDIS_URL", redis.url(),
        "ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN,
        "ONSALE_TOKEN_SECRET", FaultRig.TOKEN_SECRET,
        "ONSALE_HTTP_INSTANCES", "2"));
    settings.putAll(more);
    OnsaleConfig config = TestEnv.freshConfig(settings);
    OnsaleApp app = await(OnsaleApp.start(config));
    TO_CLOSE.add(() -> await(app.stop()));
    return app;
  }

  @Test
  @DisplayName("keeping its data: admitted buyers keep ordering, the queue answers 503 + Retry-After, places and jobs survive")
  void keepsSellingAndKeepsPlaces() {
    DisposableRedis redis = DisposableRedis.start(true);
    TO_CLOSE.add(redis);
    OnsaleApp app = startApp(redis);
    RedisKeys keys = app.services().keys();
    try (TestHttp http = new TestHttp(app.port())) {
      long[] event = FaultRig.eventOnSale(http, "redis-restart", 5000, true);
      awaitMeta(redis, keys, event[0]);
      QueueProbe queue = QueueProbe.join(http, event[0]);
      AtomicLong admission = new AtomicLong();
      Map<String, Long> during;
      List<String> codes;
      boolean relayLive;
      try (SaleLoad load = new SaleLoad(List.of(app.port()), event[0], event[1], 6,
          () -> admit(app, event[0], 1_000_000 + admission.incrementAndGet()))) {
        assertThat(load.awaitOrders(20, 60)).as("orders before the fault").isTrue();
        relayLive = relayedOutboxRows(app) > 0;
        String metaBefore = redis.cli("HGET", keys.event(event[0]).meta(), "name");
        Map<String, Long> before = load.counts();
        redis.kill();
        DisposableRedis.sleep(4000);
        QueueProbe.Seen whileDown = queue.probe(http);
        DisposableRedis.sleep(500);
        during = load.since(before);
        redis.restart();
        assertThat(load.awaitOrders(20, 60)).as("orders after Redis is back").isTrue();
        load.stop();
        codes = load.orderCodes();
        Map<String, Long> all = load.counts();
        LOG.info("Redis restart (keeps data): while down {} | all {} | queue while down {} | slowest {} ms",
            during, all, whileDown, load.slowestMillis());
        assertThat(SaleLoad.serverErrors(all)).as("5xx other than 503 + Retry-After: %s", all).isZero();
        assertThat(SaleLoad.sum(all, " timeout") + SaleLoad.sum(all, " io")).as("hung or dropped: %s", all).isZero();
        assertThat(during.getOrDefault("order 201", 0L)).as("admitted buyers keep ordering while Redis is down: %s", during)
            .isPositive();
        assertThat(redis.cli("HGET", keys.event(event[0]).meta(), "name")).as("the event's data is back").isEqualTo(metaBefore);
        queue.assertWhileDown(whileDown);
        queue.assertSamePlaceAfter(http);
      }
      assertNothingLost(app, http, codes, relayLive);
    }
  }

  @Test
  @DisplayName("losing its data: the sale core republishes events within seconds, keeps selling, and loses no job")
  void republishesAfterDataLoss() {
    DisposableRedis redis = DisposableRedis.start(false);
    TO_CLOSE.add(redis);
    TestSmtp smtp = TO_CLOSE.add(TestSmtp.listening());
    OnsaleApp app = startApp(redis, Map.of(
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port()),
        "ONSALE_QUEUE_MAIL_BACKOFF_MAX_SECONDS", "2"));
    RedisKeys keys = app.services().keys();
    try (TestHttp http = new TestHttp(app.port())) {
      long[] event = FaultRig.eventOnSale(http, "redis-wiped", 5000, false);
      long queued = FaultRig.eventOnSale(http, "redis-wiped-queue", 5, true)[0];
      awaitMeta(redis, keys, event[0]);
      awaitMeta(redis, keys, queued);
      List<QueueProbe> before = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        before.add(QueueProbe.join(http, queued));
      }
      List<String> codes;
      try (SaleLoad load = new SaleLoad(app.port(), event[0], event[1], 4)) {
        assertThat(load.awaitOrders(10, 60)).isTrue();
        redis.kill();
        DisposableRedis.sleep(2000);
        redis.restart();
        long restarted = System.nanoTime();
        assertThat(redis.cli("EXISTS", keys.event(event[0]).meta())).as("a restart without persistence is empty").isEqualTo("0");
        awaitMeta(redis, keys, event[0]);
        long republishedMillis = (System.nanoTime() - restarted) / 1_000_000;
        assertThat(load.awaitOrders(10, 60)).isTrue();
        awaitMeta(redis, keys, queued);
        DisposableRedis.sleep(1000);
        QueueProbe after = QueueProbe.join(http, queued);
        load.stop();
        codes = load.orderCodes();
        Map<String, Long> all = load.counts();
        LOG.info("Redis restart (data lost): event meta republished {} ms after restart | all {} | queue numbers before "
            + "the loss {}, first new number after it {}", republishedMillis, all,
            before.stream().map(QueueProbe::number).toList(), after.number());
        assertThat(SaleLoad.serverErrors(all)).as("5xx other than 503 + Retry-After: %s", all).isZero();
        assertThat(redis.cli("HGET", keys.event(event[0]).availability(), "capacity")).isEqualTo("5000");
      }
      assertNothingLost(app, http, codes, false);
      // Jobs already relayed into the lost streams are relayed again (their outbox rows are not done).
      long sold = count(app, "SELECT count(*) FROM order_tickets WHERE active");
      long orders = count(app, "SELECT count(*) FROM orders WHERE status = 'paid'");
      long started = System.nanoTime();
      long deadline = started + 180_000_000_000L;
      while (System.nanoTime() < deadline && (count(app, "SELECT count(*) FROM outbox WHERE done_at IS NULL") > 0
          || count(app, "SELECT count(*) FROM mail_log") < orders)) {
        DisposableRedis.sleep(500);
      }
      long waitedMillis = (System.nanoTime() - started) / 1_000_000;
      DisposableRedis.sleep(1000); // a repeated mail, if any, would arrive now
      long rendered = count(app, "SELECT count(*) FROM ticket_pdfs");
      long renderedTickets = count(app, "SELECT count(DISTINCT ticket_id) FROM ticket_pdfs");
      long mailed = count(app, "SELECT count(*) FROM mail_log");
      long owed = count(app, "SELECT count(*) FROM outbox WHERE done_at IS NULL");
      int mails = smtp.getReceivedMessages().length;
      LOG.info("Redis restart (data lost): {} tickets sold, {} PDFs for {} tickets; {} orders, {} mails recorded, {} received; "
          + "{} jobs not done; waited {} ms after the load", sold, rendered, renderedTickets, orders, mailed, mails, owed, waitedMillis);
      assertThat(owed).as("outbox rows not done").isZero();
      assertThat(renderedTickets).as("tickets with a PDF").isEqualTo(sold);
      assertThat(rendered).as("PDFs (one per ticket)").isEqualTo(sold);
      assertThat(mailed).as("orders mailed").isEqualTo(orders);
      assertThat(mails).as("mails received (one per order)").isEqualTo(orders);
    }
  }

  /**
   * An admission as the waiting room grants it, slot and token. While Redis is down no slot can be
   * written: the bare token then stands for an admission granted before the outage, which the shop
   * lets through as long as it cannot ask Redis.
   */
  private static io.vertx.core.Future<Map<String, String>> admit(OnsaleApp app, long eventId, long number) {
    String bare = app.services().tokens().admissionToken(eventId, number, 300);
    return Admissions.grant(app.services().redis(), app.services().keys(), app.services().tokens(), eventId, number, 300)
        .otherwise(bare)
        .map(token -> Map.of("Authorization", "Bearer " + token));
  }

  private static long count(OnsaleApp app, String sql) {
    return await(app.services().pg().query(sql).execute()).iterator().next().getLong(0);
  }

  private static void awaitMeta(DisposableRedis redis, RedisKeys keys, long eventId) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      if ("1".equals(redis.cli("EXISTS", keys.event(eventId).meta()))
          && "1".equals(redis.cli("EXISTS", keys.event(eventId).availability()))) {
        return;
      }
      DisposableRedis.sleep(100);
    }
    throw new AssertionError("event " + eventId + " was not published to Redis within 30 s");
  }

  private static long relayedOutboxRows(OnsaleApp app) {
    return await(app.services().pg().query("SELECT count(*) FROM outbox WHERE relayed_at IS NOT NULL").execute())
        .iterator().next().getLong(0);
  }

  /** Every order a buyer saw is stored, none twice, every job waits in (or has left) the outbox. */
  private static void assertNothingLost(OnsaleApp app, TestHttp http, List<String> codes, boolean relayLive) {
    JsonObject invariants = FaultRig.invariants(http);
    assertThat(invariants.getBoolean("ok")).as("invariants %s", invariants).isTrue();
    HashSet<String> stored = new HashSet<>();
    await(app.services().pg().query("SELECT code FROM orders WHERE status = 'paid'").execute())
        .forEach(row -> stored.add(row.getString(0)));
    assertThat(stored).containsAll(codes);
    assertThat(new HashSet<>(codes)).hasSize(codes.size());
    long confirmations = await(app.services().pg().query(
        "SELECT count(*) FROM outbox WHERE type = 'order.confirmation'").execute()).iterator().next().getLong(0);
    assertThat(confirmations).as("one confirmation job per order").isEqualTo(stored.size());
    if (relayLive) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      long waiting = -1;
      while (System.nanoTime() < deadline) {
        waiting = await(app.services().pg().query("SELECT count(*) FROM outbox WHERE relayed_at IS NULL").execute())
            .iterator().next().getLong(0);
        if (waiting == 0) {
          break;
        }
        DisposableRedis.sleep(200);
      }
      assertThat(waiting).as("outbox rows still waiting a minute after Redis came back").isZero();
    }
    LOG.info("Redis restart: orders confirmed {}, stored {}, outbox relay live {}", codes.size(), stored.size(), relayLive);
  }
}
