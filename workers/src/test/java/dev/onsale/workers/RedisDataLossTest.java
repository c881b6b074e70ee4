package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.TestEnv;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis losing its data while jobs are relayed and unfinished: jobs waiting on a stream and retries
 * waiting in the delay set. A redis-server of the test's own on another loopback port (never the
 * shared one), killed and restarted empty, or (for comparison) restarted with its append-only file.
 */
@DisplayName("Jobs relayed to a Redis that loses its data are relayed again, and done once")
class RedisDataLossTest {

  private static final int ORDERS = 10;
  private static final int TICKETS_PER_ORDER = 3;

  private final Closer closer = new Closer();
  private DisposableRedis redis;
  private TestSmtp smtp;
  private WorkerFixture fx;
  private WorkerFixture secondInstance;
  private final List<OutboxRelayVerticle> relays = new ArrayList<>();

  @AfterEach
  void stop() {
    closer.close();
  }

  @Test
  @DisplayName("Redis restarted empty: every ticket still gets exactly one PDF and every order one mail")
  void dataLossLosesNoJob() throws Exception {
    startInstances(false);
    // Two hooks: one answers at once, the other fails until Redis is back, so webhook jobs wait for a retry.
    Map<String, List<String>> hookCalls = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean downHookUp = new java.util.concurrent.atomic.AtomicBoolean();
    int receiverPort = await(fx.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      boolean ok = req.path().equals("/ok") || downHookUp.get();
      hookCalls.computeIfAbsent(req.path() + (ok ? "" : ":failed"), p -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(req.getHeader("X-Onsale-Delivery"));
      req.response().setStatusCode(ok ? 204 : 503).end();
    })).listen(0, "127.0.0.1")).actualPort();
    long eventId = fx.createEvent("Loss Show", "Standing");
    for (String path : List.of("/ok", "/down")) {
      fx.sql("INSERT INTO webhooks (event_id, url, secret) VALUES ($1, $2, 'hook-secret')",
          io.vertx.sqlclient.Tuple.of(eventId, "http://127.0.0.1:" + receiverPort + path));
    }
    List<WorkerFixture.Order> orders = ordersRelayedButUnfinished(eventId, false);
    eventually(Duration.ofSeconds(30), "each order delivered to the working hook", () -> hookCalls.getOrDefault("/ok", List.of()).size() == ORDERS);
    assertThat(fx.count("SELECT count(*) FROM outbox WHERE done_at IS NOT NULL")).isZero();
    long delayedMails = zcard(JobQueue.MAIL);
    long delayedHooks = zcard(JobQueue.WEBHOOKS);
    long waitingTickets = fx.xlen(fx.services.keys().stream(JobQueue.TICKETS));
    assertThat(delayedMails).as("mail retries waiting in the delay set").isPositive();
    assertThat(delayedHooks).as("webhook retries waiting in the delay set").isPositive();
    assertThat(waitingTickets).as("ticket jobs waiting on the stream").isEqualTo(ORDERS * TICKETS_PER_ORDER);

    Map<JobQueue, String> generationBefore = generation();
    redis.kill(); // SIGKILL, no persistence: it comes back empty
    redis.restart(false);
    downHookUp.set(true);
    await(Workers.deployQueue(fx.services, settings(JobQueue.TICKETS), Workers.handlerFor(fx.services, settings(JobQueue.TICKETS), () -> Payments.service(fx.services))));

    everyJobDoneOnce(orders);
    Map<JobQueue, String> generationAfter = generation();
    for (JobQueue queue : JobQueue.values()) {
      assertThat(generationAfter.get(queue)).as("a new job generation of queue %s in the empty Redis", queue)
          .isNotNull().isNotEqualTo(generationBefore.get(queue));
    }
    List<String> okCalls = new ArrayList<>(hookCalls.get("/ok"));
    assertThat(okCalls).as("deliveries to the hook that answered at once").hasSize(ORDERS).doesNotHaveDuplicates();
    eventually(Duration.ofSeconds(10), "each order delivered to the other hook",
        () -> fx.count("SELECT count(*) FROM webhook_deliveries") == 2 * ORDERS);
    List<String> downCalls = new ArrayList<>(hookCalls.get("/down"));
    // One worker instance runs one copy of a job at a time, and a later copy finds the delivery recorded.
    assertThat(downCalls).as("deliveries to the hook that failed until Redis returned").hasSize(ORDERS).doesNotHaveDuplicates();
    long reRelayed = relays.stream().mapToLong(OutboxRelayVerticle::reRelayedTotal).sum();
    System.out.printf("DATA LOSS: %d ticket jobs on the stream, %d mail and %d webhook retries in the delay sets lost with Redis; "
        + "re-relayed by %d relays: %d jobs; PDFs %d, mails %d, webhook deliveries to the hook that answered at once %d, "
        + "to the other %d after %d failed calls (for %d orders)%n", waitingTickets, delayedMails, delayedHooks,
        relays.size(), reRelayed, fx.count("SELECT count(*) FROM ticket_pdfs"), smtp.getReceivedMessages().length,
        okCalls.size(), downCalls.size(), hookCalls.get("/down:failed").size(), ORDERS);
    assertThat(reRelayed).as("jobs sent again").isGreaterThanOrEqualTo(ORDERS * (TICKETS_PER_ORDER + 1));
  }

  @Test
  @DisplayName("Redis restarted with its data: nothing is relayed again, each job runs once")
  void noReRelayWhenRedisKeptItsData() throws Exception {
    startInstances(true);
    List<WorkerFixture.Order> orders = ordersRelayedButUnfinished(fx.createEvent("Kept Show", "Standing"), true);
    redis.stop(); // SIGTERM: the append-only file is complete
    redis.restart(true);
    assertThat(fx.xlen(fx.services.keys().stream(JobQueue.TICKETS))).isEqualTo(ORDERS * TICKETS_PER_ORDER);
    await(Workers.deployQueue(fx.services, settings(JobQueue.TICKETS), Workers.handlerFor(fx.services, settings(JobQueue.TICKETS), () -> Payments.service(fx.services))));

    everyJobDoneOnce(orders);
    Thread.sleep(1500); // a few relay passes after Redis returned
    assertThat(relays).allSatisfy(relay -> assertThat(relay.reRelayedTotal()).isZero());
    assertThat(processed(JobQueue.TICKETS, "succeeded")).as("each ticket job ran once").isEqualTo(ORDERS * TICKETS_PER_ORDER);
  }

  @Test
  @DisplayName("a normal run marks every finished or dead-lettered job done")
  void normalRunMarksRowsDone() throws Exception {
    startInstances(false);
    await(Workers.deployQueue(fx.services, settings(JobQueue.TICKETS), Workers.handlerFor(fx.services, settings(JobQueue.TICKETS), () -> Payments.service(fx.services))));
    long eventId = fx.createEvent("Plain Show", "Standing");
    List<WorkerFixture.Order> orders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      orders.add(fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 2, "Buyer " + i, "plain" + i + "@example.org"));
    }
    fx.enqueue("background", "no.such.type", new JsonObject()); // dead-lettered at once
    eventually(Duration.ofSeconds(60), "every outbox row done",
        () -> fx.count("SELECT count(*) FROM outbox WHERE done_at IS NULL") == 0);
    assertThat(fx.count("SELECT count(*) FROM outbox")).isEqualTo(3 * (2 + 2) + 1);
    assertThat(fx.count("SELECT count(*) FROM outbox WHERE done_at < relayed_at")).isZero();
    assertThat(fx.xlen(fx.services.keys().deadLetter(JobQueue.BACKGROUND))).isEqualTo(1);
    assertThat(fx.count("SELECT count(*) FROM ticket_pdfs")).isEqualTo(6);
    assertThat(relays).allSatisfy(relay -> assertThat(relay.reRelayedTotal()).isZero());
  }

  // ---- set-up ------------------------------------------------------------------------------

  /**
   * Instance A runs two relays and the mail, webhooks and background workers; instance B a third
   * relay. The tickets worker starts later, so ticket jobs wait on their stream and mail jobs keep
   * retrying (their PDFs are missing) through the delay set.
   */
  private void startInstances(boolean redisKeepsData) throws Exception {
    assumeTrue(DisposableRedis.available(), "redis-server is not installed");
    redis = closer.add(DisposableRedis.start(redisKeepsData));
    smtp = closer.add(TestSmtp.listening());
    java.util.Map<String, String> settings = new java.util.HashMap<>(Map.of(
        // The test's hooks listen on the loopback, which organizer webhooks may not reach by default.
        "ONSALE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"));
    settings.putAll(Map.of(
        "ONSALE_ROLES", "workers",
        "ONSALE_REDIS_URL", redis.url(),
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port()),
        "ONSALE_RELAY_BATCH", "7",
        "ONSALE_RELAY_POLL_MS", "200",
        "ONSALE_QUEUE_MAIL_BACKOFF_MS", "1500",
        "ONSALE_QUEUE_MAIL_BACKOFF_MAX_SECONDS", "2",
        "ONSALE_QUEUE_MAIL_MAX_ATTEMPTS", "100",
        "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MS", "1500",
        "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MAX_SECONDS", "2"));
    fx = closer.add(WorkerFixture.migrated(TestEnv.freshConfig(settings)));
    secondInstance = closer.add(fx.sibling(fx.config));
    for (WorkerFixture instance : List.of(fx, fx, secondInstance)) {
      OutboxRelayVerticle relay = new OutboxRelayVerticle(instance.services);
      relays.add(relay);
      await(instance.vertx.deployVerticle(relay));
    }
    for (JobQueue queue : List.of(JobQueue.MAIL, JobQueue.WEBHOOKS, JobQueue.BACKGROUND)) {
      await(Workers.deployQueue(fx.services, settings(queue), Workers.handlerFor(fx.services, settings(queue), () -> Payments.service(fx.services))));
    }
  }

  private QueueSettings settings(JobQueue queue) {
    return QueueSettings.of(fx.config, queue);
  }

  /** Orders whose jobs are all relayed: webhooks done (no hook), mails retried, tickets waiting. */
  private List<WorkerFixture.Order> ordersRelayedButUnfinished(long eventId, boolean webhooksFinish) {
    List<WorkerFixture.Order> orders = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      orders.add(fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), TICKETS_PER_ORDER, "Buyer " + i,
          "buyer" + i + "@example.org"));
    }
    eventually(Duration.ofSeconds(30), "every job relayed", () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
    eventually(Duration.ofSeconds(30), "the webhook jobs done or retrying",
        () -> webhooksFinish
            ? fx.count("SELECT count(*) FROM outbox WHERE queue = 'webhooks' AND done_at IS NOT NULL") == ORDERS
            : processed(JobQueue.WEBHOOKS, "retried") >= ORDERS);
    eventually(Duration.ofSeconds(30), "every mail job tried once", () -> processed(JobQueue.MAIL, "retried") >= ORDERS);
    assertThat(fx.count("SELECT count(*) FROM outbox WHERE queue IN ('tickets', 'mail') AND done_at IS NOT NULL")).isZero();
    return orders;
  }

  private void everyJobDoneOnce(List<WorkerFixture.Order> orders) throws Exception {
    int tickets = ORDERS * TICKETS_PER_ORDER;
    eventually(Duration.ofSeconds(90), "every mail sent", () -> fx.count("SELECT count(*) FROM mail_log") == ORDERS);
    eventually(Duration.ofSeconds(30), "every outbox row done",
        () -> fx.count("SELECT count(*) FROM outbox WHERE done_at IS NULL") == 0);
    Thread.sleep(500); // a repeated mail, if any, would arrive now
    assertThat(fx.count("SELECT count(DISTINCT ticket_id) FROM ticket_pdfs")).isEqualTo(tickets);
    assertThat(fx.count("SELECT count(*) FROM ticket_pdfs")).isEqualTo(tickets);
    try (Stream<Path> files = Files.list(Path.of(fx.config.mediaDir()).resolve("tickets"))) {
      assertThat(files.filter(f -> f.getFileName().toString().endsWith(".pdf")).count()).as("PDF files").isEqualTo(tickets);
    }
    Map<String, Integer> mails = new HashMap<>();
    for (MimeMessage mail : smtp.getReceivedMessages()) {
      mails.merge(mail.getAllRecipients()[0].toString(), 1, Integer::sum);
    }
    assertThat(mails).hasSize(ORDERS);
    assertThat(mails.values()).allSatisfy(n -> assertThat(n).isEqualTo(1));
    for (WorkerFixture.Order order : orders) {
      assertThat(fx.count("SELECT count(*) FROM mail_log WHERE order_id = $1", order.id())).isEqualTo(1);
    }
    for (JobQueue queue : JobQueue.values()) {
      assertThat(fx.xlen(fx.services.keys().deadLetter(queue))).as("dead letters of %s", queue).isZero();
    }
  }

  /** Every queue's job generation marker (null where absent). */
  private Map<JobQueue, String> generation() {
    Map<JobQueue, String> generations = new java.util.EnumMap<>(JobQueue.class);
    for (JobQueue queue : JobQueue.values()) {
      var reply = fx.redis(Request.cmd(Command.GET).arg(fx.services.keys().jobGeneration(queue)));
      generations.put(queue, reply == null ? null : reply.toString());
    }
    return generations;
  }

  private long zcard(JobQueue queue) {
    return fx.redis(Request.cmd(Command.ZCARD).arg(fx.services.keys().stream(queue) + ":delayed")).toLong();
  }

  private double processedRaw(JobQueue queue, String outcome) {
    Counter counter = fx.services.meters().find("onsale.jobs.processed")
        .tags("queue", queue.streamName(), "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  private long processed(JobQueue queue, String outcome) {
    return (long) processedRaw(queue, outcome);
  }
}
