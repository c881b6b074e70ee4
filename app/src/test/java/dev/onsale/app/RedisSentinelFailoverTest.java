package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import dev.onsale.common.JobQueue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Onsale under Redis Sentinel: the master dies in the middle of a sale")
class RedisSentinelFailoverTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelFailoverTest.class);
  private static final String MASTER_SET = "onsale-test";
  private static final int TICKETS = 200;
  private static final int BUYERS = 400;

  private static final Closer CLOSER = new Closer();
  private static RedisProcesses redis;
  private static int masterPort;
  private static int replicaPort;
  private static int sentinelPort;
  private static TestSmtp smtp;
  private static OnsaleApp app;
  private static Vertx watcher;

  @BeforeAll
  static void startServers() {
    assumeTrue(RedisProcesses.available(), "redis-server or redis-cli is missing (scripts/ensure-test-tools.sh)");
    redis = CLOSER.add(new RedisProcesses());
    masterPort = TestEnv.freePort();
    redis.server(masterPort);
    // Two replicas: after the failover one is left to confirm writes (ONSALE_REDIS_WAIT_REPLICAS=1).
    replicaPort = TestEnv.freePort();
    redis.server(replicaPort, "--replicaof", "127.0.0.1", String.valueOf(masterPort));
    int secondReplica = TestEnv.freePort();
    redis.server(secondReplica, "--replicaof", "127.0.0.1", String.valueOf(masterPort), "--replica-priority", "200");
    RedisProcesses.awaitCli(replicaPort, out -> out.contains("master_link_status:up"), 30, "INFO", "replication");
    RedisProcesses.awaitCli(secondReplica, out -> out.contains("master_link_status:up"), 30, "INFO", "replication");
    sentinelPort = TestEnv.freePort();
    // One sentinel with a quorum of one: the lightest set-up that fails over on its own. It waits two
    // seconds without an answer (not one) so that a busy machine's pause is not taken for a death.
    redis.sentinel(sentinelPort, String.join("\n",
        "sentinel monitor " + MASTER_SET + " 127.0.0.1 " + masterPort + " 1",
        "sentinel down-after-milliseconds " + MASTER_SET + " 2000",
        "sentinel failover-timeout " + MASTER_SET + " 10000",
        "sentinel parallel-syncs " + MASTER_SET + " 1", ""));
    RedisProcesses.awaitCli(sentinelPort, out -> out.contains(String.valueOf(replicaPort))
        && out.contains(String.valueOf(secondReplica)), 40, "SENTINEL", "REPLICAS", MASTER_SET);
    smtp = CLOSER.add(TestSmtp.listening());
    Map<String, String> settings = new HashMap<>(Map.of(
        "ONSALE_REDIS_MODE", "sentinel",
        "ONSALE_REDIS_URL", "redis://127.0.0.1:" + sentinelPort,
        "ONSALE_REDIS_MASTER_NAME", MASTER_SET,
        "ONSALE_REDIS_WAIT_REPLICAS", "1",
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port()),
        "ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN,
        "ONSALE_TOKEN_SECRET", FaultRig.TOKEN_SECRET,
        "ONSALE_HTTP_INSTANCES", "2"));
    // A job whose outcome could not be recorded when the master died is claimed again after this
    // idle time (a minute by default): short here, so the test sees it done within its time.
    for (JobQueue queue : JobQueue.values()) {
      String prefix = "ONSALE_QUEUE_" + queue.streamName().toUpperCase(Locale.ROOT) + "_";
      settings.put(prefix + "TIMEOUT_SECONDS", "4");
      settings.put(prefix + "RECLAIM_IDLE_SECONDS", "5");
      settings.put(prefix + "BACKOFF_MAX_SECONDS", "2");
    }
    OnsaleConfig config = TestEnv.freshConfig(settings);
    app = await(OnsaleApp.start(config));
    CLOSER.add(() -> await(app.stop()));
  }

  @AfterAll
  static void stopAll() {
    CLOSER.close();
  }


  @Test
  @DisplayName("the replica takes over: the sale goes on, no job is lost, no arrival number is issued twice, no admitted place is taken back")
  void failoverMidSale() {
    RedisKeys.Event keys;
    try (TestHttp http = new TestHttp(app.port())) {
      long[] event = FaultRig.eventOnSale(http, "sentinel-sale", TICKETS, true);
      http.patch("/api/v1/admin/events/" + event[0], new JsonObject().put("admissionRatePerMinute", 1200), FaultRig.admin());
      keys = app.services().keys().event(event[0]);
      Queue<Read> serving = watch(keys.serving());
      Queue<Read> arrivals = watch(keys.arrivals());
      List<String> codes;
      List<Long> numbers;
      List<WaitingRoomCrowd.Given> handedOut;
      List<WaitingRoomCrowd.Given> admitted;
      String failedOver;
      try (WaitingRoomCrowd crowd = new WaitingRoomCrowd(app.port(), event[0], event[1], BUYERS, 12_000, 80)) {
        awaitOrders(TICKETS / 4, 40);
        long before = count("SELECT count(*) FROM orders");
        redis.kill(masterPort);
        LOG.info("sentinel: killed the master on {} with {} orders placed, {} numbers handed out", masterPort, before,
            crowd.handedOut().size());
        failedOver = RedisProcesses.awaitCli(sentinelPort, out -> out.contains(String.valueOf(replicaPort)), 60,
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_SET);
        crowd.awaitDone();
        codes = crowd.orderCodes();
        numbers = crowd.numbers();
        handedOut = crowd.handedOut();
        admitted = crowd.admitted();
        LOG.info("sentinel sale: answers {}; serving as read: {}; arrivals as read: {}", crowd.counts(), story(serving),
            story(arrivals));
        LOG.info("the sentinel's account:\n{}", sentinelEvents());
        assertThat(SaleLoad.serverErrors(crowd.counts())).as("5xx other than 503 + Retry-After: %s", crowd.counts()).isZero();
        assertThat(count("SELECT count(*) FROM orders")).as("orders placed after the failover").isGreaterThan(before);
      }
      assertThat(failedOver).as("the sentinel's master after the kill").contains(String.valueOf(replicaPort));
      assertThat(numbers).as("arrival numbers handed to buyers").hasSize(BUYERS).doesNotHaveDuplicates();
      // The checks below mean something only if the watcher read the counters from the new master too.
      String newMaster = replicaPort + "/master";
      assertThat(serving).as("serving read from the new master").anyMatch(read -> read.server().equals(newMaster));
      assertThat(arrivals).as("arrivals read from the new master").anyMatch(read -> read.server().equals(newMaster));
      assertThat(belowWhatWasGiven(serving, admitted)).as("serving read below a place already admitted; sentinel: %s",
          sentinelEvents()).isEmpty();
      assertThat(belowWhatWasGiven(arrivals, handedOut)).as("arrivals read below a number already handed out; sentinel: %s",
          sentinelEvents()).isEmpty();
      assertThat(codes).as("orders placed").hasSize(TICKETS).doesNotHaveDuplicates();
      assertThat(count("SELECT count(*) FROM order_tickets WHERE active")).as("tickets sold (no oversell)").isEqualTo(TICKETS);
      JsonObject invariants = FaultRig.invariants(http);
      assertThat(invariants.getBoolean("ok")).as("invariants %s", invariants).isTrue();

      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && (count("SELECT count(*) FROM outbox WHERE done_at IS NULL") > 0
          || count("SELECT count(*) FROM mail_log") < TICKETS)) {
        DisposableRedis.sleep(300);
      }
      assertThat(count("SELECT count(*) FROM outbox WHERE done_at IS NULL")).as("jobs not done: %s", notDone()).isZero();
      assertThat(count("SELECT count(DISTINCT ticket_id) FROM ticket_pdfs")).as("tickets with a PDF").isEqualTo(TICKETS);
      assertThat(count("SELECT count(*) FROM mail_log")).as("orders mailed").isEqualTo(TICKETS);
    }
  }

  /** One value of a counter as the watcher read it: when the GET was sent, and which server answered. */
  record Read(long value, long sentAtNanos, String server) {}

  /**
   * Reads a counter through Sentinel every 50 ms, as any instance would, and keeps every value it
   * got with the port and role of the server that answered (for a failure's message).
   */
  private static Queue<Read> watch(String key) {
    if (watcher == null) {
      watcher = Vertx.vertx();
      CLOSER.add(() -> await(watcher.close()));
    }
    Redis client = Clients.redis(watcher, app.services().config());
    Queue<Read> seen = new ConcurrentLinkedQueue<>();
    watcher.setPeriodic(50, t -> {
      long sentAt = System.nanoTime();
      client.batch(List.of(Request.cmd(Command.GET).arg(key), Request.cmd(Command.CONFIG).arg("GET").arg("port"),
          Request.cmd(Command.ROLE))).onSuccess(replies -> {
            if (replies.get(0) != null) {
              seen.add(new Read(replies.get(0).toLong(), sentAt, replies.get(1).get(1) + "/" + replies.get(2).get(0)));
            }
          });
    });
    return seen;
  }

  /**
   * The reads that found a counter below a number some buyer had already been given. Only these
   * break a promise: WAIT confirms a number before it is handed out, so what a failover may take
   * back is increments nobody was told about (a master left without a replica counts joins it
   * then refuses), and a counter that falls back over those is not an error.
   */
  static List<String> belowWhatWasGiven(Collection<Read> reads, List<WaitingRoomCrowd.Given> given) {
    List<WaitingRoomCrowd.Given> byTime = new ArrayList<>(given);
    byTime.sort(Comparator.comparingLong(WaitingRoomCrowd.Given::atNanos));
    List<String> broken = new ArrayList<>();
    for (Read read : reads) {
      long highestGiven = byTime.stream().takeWhile(g -> g.atNanos() < read.sentAtNanos())
          .mapToLong(WaitingRoomCrowd.Given::number).max().orElse(0);
      if (read.value() < highestGiven) {
        broken.add(read + " after " + highestGiven + " was given");
      }
    }
    return broken;
  }

  /** The counter's values in the order read, each with the server that answered (for a failure's message). */
  private static String story(Collection<Read> reads) {
    StringBuilder out = new StringBuilder();
    Read last = null;
    for (Read read : reads) {
      if (last == null || last.value() != read.value() || !last.server().equals(read.server())) {
        out.append(read.value()).append('@').append(read.server()).append(' ');
      }
      last = read;
    }
    return out.toString();
  }

  /** The sentinel's log lines about servers going down and masters switching. */
  private static String sentinelEvents() {
    return redis.log(sentinelPort).lines().filter(line -> line.contains("down") || line.contains("switch-master")
        || line.contains("promoted") || line.contains("failover")).reduce("", (a, b) -> a + b + "\n");
  }

  private static void awaitOrders(long orders, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline && count("SELECT count(*) FROM orders") < orders) {
      DisposableRedis.sleep(100);
    }
    assertThat(count("SELECT count(*) FROM orders")).as("orders before the failover").isGreaterThanOrEqualTo(orders);
  }

  /** The outbox rows not done, and where their queues stand in Redis (for a failure's message). */
  private static String notDone() {
    StringBuilder out = new StringBuilder();
    await(app.services().pg().query("SELECT id, queue, type, relayed_at FROM outbox WHERE done_at IS NULL").execute())
        .forEach(row -> out.append(row.toJson()).append('\n'));
    for (JobQueue queue : JobQueue.values()) {
      out.append(queue).append(": stream ").append(RedisProcesses.cli(replicaPort, "XLEN", app.services().keys().stream(queue)))
          .append(", pending ").append(RedisProcesses.cli(replicaPort, "XPENDING", app.services().keys().stream(queue), "workers"))
          .append(", delayed ").append(RedisProcesses.cli(replicaPort, "ZCARD", app.services().keys().delayed(queue)))
          .append(", dead ").append(RedisProcesses.cli(replicaPort, "XLEN", app.services().keys().deadLetter(queue))).append('\n');
    }
    return out.toString();
  }

  private static long count(String sql) {
    return await(app.services().pg().query(sql).execute()).iterator().next().getLong(0);
  }
}
