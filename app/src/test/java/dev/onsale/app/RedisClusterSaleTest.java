package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Onsale on a Redis Cluster of three masters")
class RedisClusterSaleTest {

  private static final Logger LOG = LoggerFactory.getLogger(RedisClusterSaleTest.class);
  private static final int TICKETS = 150;
  private static final int BUYERS = 250;

  private static final Closer CLOSER = new Closer();
  private static RedisProcesses redis;
  private static final List<Integer> PORTS = new ArrayList<>();
  private static TestSmtp smtp;
  private static OnsaleApp app;

  @BeforeAll
  static void startCluster() {
    assumeTrue(RedisProcesses.available(), "redis-server or redis-cli is missing (scripts/ensure-test-tools.sh)");
    redis = CLOSER.add(new RedisProcesses());
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int port = RedisProcesses.freePortWithBus();
      redis.server(port, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "5000");
      PORTS.add(port);
      nodes.add("127.0.0.1:" + port);
    }
    List<String> create = new ArrayList<>(List.of("--cluster", "create"));
    create.addAll(nodes);
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    String created = RedisProcesses.cli(PORTS.get(0), create.toArray(String[]::new));
    LOG.info("redis-cli --cluster create: {}", created);
    for (int port : PORTS) {
      RedisProcesses.awaitCli(port, out -> out.contains("cluster_state:ok") && out.contains("cluster_known_nodes:3"),
          60, "CLUSTER", "INFO");
    }
    smtp = CLOSER.add(TestSmtp.listening());
    OnsaleConfig config = TestEnv.freshConfig(Map.of(
        "ONSALE_REDIS_MODE", "cluster",
        "ONSALE_REDIS_URL", PORTS.stream().map(p -> "redis://127.0.0.1:" + p).collect(Collectors.joining(",")),
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port()),
        "ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN,
        "ONSALE_TOKEN_SECRET", FaultRig.TOKEN_SECRET,
        "ONSALE_HTTP_INSTANCES", "2"));
    app = await(OnsaleApp.start(config));
    CLOSER.add(() -> await(app.stop()));
  }

  @AfterAll
  static void stopAll() {
    CLOSER.close();
  }

  @Test
  @DisplayName("a whole sale: buyers join, are admitted, reserve and order; every ticket is sold once, every PDF and mail is done")
  void wholeSale() {
    RedisKeys keys = app.services().keys();
    try (TestHttp http = new TestHttp(app.port())) {
      // Two more events, so the reads batched across events (queue states, the ops overview) span nodes.
      long[] other = FaultRig.eventOnSale(http, "cluster-other", 10, true);
      long third = FaultRig.eventOnSale(http, "cluster-third", 10, true)[0];
      long[] event = FaultRig.eventOnSale(http, "cluster-sale", TICKETS, true);
      assertThat(java.util.stream.Stream.of(other[0], third, event[0])
          .map(id -> nodeHolding(keys.event(id).meta())).distinct().count())
          .as("nodes holding the three events").isGreaterThan(1);
      List<String> codes;
      List<Long> numbers;
      try (WaitingRoomCrowd crowd = new WaitingRoomCrowd(app.port(), event[0], event[1], BUYERS, 3_000, 75)) {
        crowd.awaitDone();
        codes = crowd.orderCodes();
        numbers = crowd.numbers();
        LOG.info("cluster sale: {} buyers, answers {}", BUYERS, crowd.counts());
        assertThat(SaleLoad.serverErrors(crowd.counts())).as("5xx other than 503 + Retry-After: %s", crowd.counts()).isZero();
      }
      assertThat(numbers).as("arrival numbers").hasSize(BUYERS).doesNotHaveDuplicates();
      assertThat(codes).as("orders placed").hasSize(TICKETS).doesNotHaveDuplicates();
      assertThat(count("SELECT count(*) FROM order_tickets WHERE active")).as("tickets sold (no oversell)").isEqualTo(TICKETS);
      JsonObject invariants = FaultRig.invariants(http);
      assertThat(invariants.getBoolean("ok")).as("invariants %s", invariants).isTrue();

      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && (count("SELECT count(*) FROM outbox WHERE done_at IS NULL") > 0
          || count("SELECT count(*) FROM mail_log") < TICKETS)) {
        DisposableRedis.sleep(300);
      }
      assertThat(count("SELECT count(*) FROM outbox WHERE done_at IS NULL")).as("jobs not done").isZero();
      assertThat(count("SELECT count(DISTINCT ticket_id) FROM ticket_pdfs")).as("tickets with a PDF").isEqualTo(TICKETS);
      assertThat(count("SELECT count(*) FROM mail_log")).as("orders mailed").isEqualTo(TICKETS);
      assertThat(smtp.getReceivedMessages()).as("mails received").hasSize(TICKETS);

      TestHttp.Answer queues = http.get("/api/v1/ops/queues", FaultRig.admin());
      assertThat(queues.status()).as("ops queues: %s", queues.raw()).isEqualTo(200);
      TestHttp.Answer overview = http.get("/api/v1/ops/overview", FaultRig.admin());
      assertThat(overview.status()).as("ops overview: %s", overview.raw()).isEqualTo(200);
      assertThat(overview.raw().toString()).contains("cluster-other", "cluster-third", "cluster-sale");

      // The keys really are spread: the event's queue on one node, the job queues across the others.
      String arrivals = RedisProcesses.cli(PORTS.get(0), "-c", "GET", keys.event(event[0]).arrivals());
      assertThat(arrivals).isEqualTo(String.valueOf(BUYERS));
      long nodesWithKeys = PORTS.stream().filter(p -> Long.parseLong(RedisProcesses.cli(p, "DBSIZE")) > 0).count();
      assertThat(nodesWithKeys).as("nodes holding Onsale keys").isGreaterThanOrEqualTo(2);
      assertThat(new HashSet<>(codes)).hasSize(TICKETS);
    }
  }

  /** The node that holds a key (answers EXISTS without a redirect), once the key is written. */
  private static int nodeHolding(String key) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (int port : PORTS) {
        if ("1".equals(RedisProcesses.cli(port, "EXISTS", key))) {
          return port;
        }
      }
      DisposableRedis.sleep(100);
    }
    throw new AssertionError("no node holds " + key + " after 30 s");
  }

  private static long count(String sql) {
    return await(app.services().pg().query(sql).execute()).iterator().next().getLong(0);
  }
}
