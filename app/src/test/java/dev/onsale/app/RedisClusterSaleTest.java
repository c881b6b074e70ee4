package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Onsale on a Redis Cluster of three masters")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  @Order(1)
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

  /** Last, as it empties a node: the sale above would find its event's keys gone. */
  @Test
  @Order(2)
  @DisplayName("a node flushed alone: the relay sends again the jobs of the queues it held, and notices nothing on the others")
  void nodeLosesItsQueues() {
    RedisKeys keys = app.services().keys();
    int lostNode = nodeHolding(keys.jobGeneration(JobQueue.TICKETS));
    assertThat(nodeHolding(keys.stream(JobQueue.TICKETS))).as("node of the tickets stream").isEqualTo(lostNode);
    Map<JobQueue, Integer> nodes = new EnumMap<>(JobQueue.class);
    Map<JobQueue, String> before = new EnumMap<>(JobQueue.class);
    for (JobQueue queue : JobQueue.values()) {
      nodes.put(queue, nodeHolding(keys.jobGeneration(queue)));
      before.put(queue, RedisProcesses.cli(nodes.get(queue), "GET", keys.jobGeneration(queue)));
    }
    assertThat(nodes.values().stream().distinct().count()).as("nodes holding the queues' generations %s", nodes).isGreaterThan(1);
    // A job relayed into the tickets stream and not done, lost with the node: an unknown type, dead-lettered once run.
    long job = count("INSERT INTO outbox (queue, type, payload, relayed_at, relayed_generation) VALUES ('"
        + JobQueue.TICKETS.streamName() + "', 'cluster.lost', '{}', now(), '" + before.get(JobQueue.TICKETS) + "') RETURNING id");

    RedisProcesses.cli(lostNode, "FLUSHALL"); // this node only: as it would come back empty from a restart

    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline && count("SELECT count(*) FROM outbox WHERE id = " + job + " AND done_at IS NULL") > 0) {
      DisposableRedis.sleep(100);
    }
    assertThat(count("SELECT count(*) FROM outbox WHERE id = " + job + " AND done_at IS NOT NULL")).as("the lost job sent again and run").isEqualTo(1);
    assertThat(RedisProcesses.cli(lostNode, "XLEN", keys.deadLetter(JobQueue.TICKETS))).as("its dead letter").isEqualTo("1");
    for (JobQueue queue : JobQueue.values()) {
      String now = RedisProcesses.cli(nodes.get(queue), "GET", keys.jobGeneration(queue));
      if (nodes.get(queue) == lostNode) {
        assertThat(now).as("new generation of %s, flushed with its node", queue).isNotEmpty().isNotEqualTo(before.get(queue));
      } else {
        assertThat(now).as("generation of %s on a node that kept its data", queue).isEqualTo(before.get(queue));
      }
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
