package dev.onsale.workers;

import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.sale.payment.Payments;
import io.micrometer.core.instrument.Counter;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One job queue's Redis data lost while the others keep theirs, as when the Cluster node holding
 * that queue's hash slot restarts empty: the queue's keys (stream, delay set, append markers and its
 * generation marker) are deleted, the other queues' keys are left alone.
 */
@DisplayName("A job queue whose Redis data alone was lost gets its jobs again; the other queues' jobs are not sent twice")
class QueueDataLossTest {

  private static final int ORDERS = 6;
  private static final int TICKETS_PER_ORDER = 2;
  private static final JobQueue LOST = JobQueue.TICKETS;
  private static final List<JobQueue> KEPT = List.of(JobQueue.MAIL, JobQueue.WEBHOOKS);

  private WorkerFixture fx;

  @AfterEach
  void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  @DisplayName("the tickets queue's keys deleted: its relayed jobs are sent again and done once, the mail and webhook jobs are sent once")
  void oneQueueLosesItsData() {
    fx = WorkerFixture.withSmtp(Map.of("ONSALE_ROLES", "workers", "ONSALE_RELAY_POLL_MS", "200"));
    OutboxRelayVerticle relay = new OutboxRelayVerticle(fx.services);
    await(fx.vertx.deployVerticle(relay));

    // Orders relayed, no worker running yet: every job waits on its stream.
    long eventId = fx.createEvent("Slot Show", "Standing");
    for (int i = 0; i < ORDERS; i++) {
      fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), TICKETS_PER_ORDER, "Buyer " + i, "slot" + i + "@example.org");
    }
    int tickets = ORDERS * TICKETS_PER_ORDER;
    eventually(Duration.ofSeconds(30), "every job relayed", () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
    assertThat(fx.xlen(fx.services.keys().stream(LOST))).isEqualTo(tickets);
    for (JobQueue queue : KEPT) {
      assertThat(fx.xlen(fx.services.keys().stream(queue))).as("jobs waiting on %s", queue).isEqualTo(ORDERS);
    }
    Map<JobQueue, String> generationsBefore = generations();
    Map<Long, Relayed> rowGenerationsBefore = rowGenerations();
    assertThat(rowGenerationsBefore).hasSize(tickets + 2 * ORDERS);
    assertThat(fx.count("SELECT count(*) FROM outbox WHERE relayed_generation IS NULL")).isZero();
    long reRelayedBefore = relay.reRelayedTotal();

    List<String> deleted = forgetQueue(LOST);
    assertThat(deleted).contains(fx.services.keys().stream(LOST), fx.services.keys().jobGeneration(LOST));

    eventually(Duration.ofSeconds(30), "the lost queue's jobs sent again",
        () -> fx.xlen(fx.services.keys().stream(LOST)) == tickets && relay.reRelayedTotal() - reRelayedBefore == tickets);
    String newGeneration = generations().get(LOST);
    assertThat(newGeneration).as("a new generation of the lost queue").isNotNull().isNotEqualTo(generationsBefore.get(LOST));
    eventually(Duration.ofSeconds(10), "the lost queue's rows stamped with its new generation",
        () -> fx.count("SELECT count(*) FROM outbox WHERE queue = $1 AND relayed_generation = $2", LOST.streamName(), newGeneration)
            == tickets);
    Map<JobQueue, String> generationsAfter = generations();
    Map<Long, Relayed> rowGenerationsAfter = rowGenerations();
    for (JobQueue queue : KEPT) {
      assertThat(generationsAfter.get(queue)).as("generation of %s, which kept its data", queue).isEqualTo(generationsBefore.get(queue));
      assertThat(fx.xlen(fx.services.keys().stream(queue))).as("jobs on %s, which kept its data", queue).isEqualTo(ORDERS);
      assertThat(fx.count("SELECT count(*) FROM outbox WHERE queue = $1 AND relayed_generation = $2",
          queue.streamName(), generationsBefore.get(queue))).as("rows of %s still in their generation", queue).isEqualTo(ORDERS);
    }
    rowGenerationsBefore.forEach((id, before) -> assertThat(rowGenerationsAfter.get(id).generation()).as("generation of row %d", id)
        .isEqualTo(before.queue() == LOST ? newGeneration : before.generation()));
    assertThat(relay.reRelayedTotal() - reRelayedBefore).as("jobs sent again: the lost queue's only").isEqualTo(tickets);

    // The workers now run: the lost queue's jobs get done, every job once.
    deployWorker(LOST);
    eventually(Duration.ofSeconds(60), "every ticket job done",
        () -> fx.count("SELECT count(*) FROM outbox WHERE queue = $1 AND done_at IS NULL", LOST.streamName()) == 0);
    KEPT.forEach(this::deployWorker);
    eventually(Duration.ofSeconds(60), "every job done", () -> fx.count("SELECT count(*) FROM outbox WHERE done_at IS NULL") == 0);
    assertThat(fx.count("SELECT count(*) FROM ticket_pdfs")).isEqualTo(tickets);
    assertThat(fx.count("SELECT count(*) FROM mail_log")).isEqualTo(ORDERS);
    eventually(Duration.ofSeconds(10), "every mail received", () -> fx.smtp.getReceivedMessages().length == ORDERS);
    assertThat(processed(LOST)).as("ticket jobs run").isEqualTo(tickets);
    for (JobQueue queue : KEPT) {
      assertThat(processed(queue)).as("%s jobs run", queue).isEqualTo(ORDERS);
    }
    assertThat(relay.reRelayedTotal() - reRelayedBefore).as("jobs sent again in the end").isEqualTo(tickets);
    for (JobQueue queue : JobQueue.values()) {
      assertThat(fx.xlen(fx.services.keys().deadLetter(queue))).as("dead letters of %s", queue).isZero();
    }
  }

  /**
   * Deletes every key of the queue (all in its hash slot) in one command, as the node holding them
   * loses them all at once: a relay pass between two deletions would find a state no restart leaves.
   */
  private List<String> forgetQueue(JobQueue queue) {
    List<String> keys = new ArrayList<>();
    for (Response key : fx.redis(Request.cmd(Command.KEYS).arg(fx.services.keys().stream(queue) + "*"))) {
      keys.add(key.toString());
    }
    Request delete = Request.cmd(Command.DEL);
    keys.forEach(delete::arg);
    assertThat(fx.redis(delete).toInteger()).isEqualTo(keys.size());
    return keys;
  }

  private Map<JobQueue, String> generations() {
    Map<JobQueue, String> generations = new EnumMap<>(JobQueue.class);
    for (JobQueue queue : JobQueue.values()) {
      Response reply = fx.redis(Request.cmd(Command.GET).arg(fx.services.keys().jobGeneration(queue)));
      generations.put(queue, reply == null ? null : reply.toString());
    }
    return generations;
  }

  private record Relayed(JobQueue queue, String generation) {}

  /** Each outbox row's queue and the generation it was relayed into. */
  private Map<Long, Relayed> rowGenerations() {
    Map<Long, Relayed> rows = new HashMap<>();
    for (Row row : await(fx.services.pg().query("SELECT id, queue, relayed_generation FROM outbox").execute())) {
      rows.put(row.getLong("id"), new Relayed(JobQueue.fromName(row.getString("queue")), row.getString("relayed_generation")));
    }
    return rows;
  }

  private void deployWorker(JobQueue queue) {
    QueueSettings settings = QueueSettings.of(fx.config, queue);
    await(Workers.deployQueue(fx.services, settings, Workers.handlerFor(fx.services, settings, () -> Payments.service(fx.services))));
  }

  /** Jobs of the queue that succeeded, counted by the workers (one per handler run that succeeded). */
  private long processed(JobQueue queue) {
    Counter counter = fx.services.meters().find("onsale.jobs.processed")
        .tags("queue", queue.streamName(), "outcome", "succeeded").counter();
    return counter == null ? 0 : (long) counter.count();
  }
}
