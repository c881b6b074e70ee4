package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Outbox relay: NOTIFY wakes it at once")
class OutboxRelayTest {

  private WorkerFixture fx;

  @BeforeEach
  void start() {
    // Polling every minute: only a notification can explain a job relayed within seconds.
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_RELAY_POLL_MS", "60000",
        "ONSALE_RELAY_RECONNECT_MS", "200")));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("a job written with NOTIFY reaches its stream within milliseconds, also after the LISTEN connection was cut")
  void notifyWakesTheRelay() {
    String stream = fx.services.keys().stream(JobQueue.WEBHOOKS);
    eventually(Duration.ofSeconds(10), "the relay listening", () -> listeners() == 1);
    fx.count("SELECT 1"); // warm the pool
    long[] micros = new long[20];
    for (int i = 0; i < micros.length; i++) {
      long started = System.nanoTime();
      fx.enqueue("webhooks", "order.created", new JsonObject().put("eventId", 1));
      long expected = i + 1;
      long deadline = started + Duration.ofSeconds(5).toNanos();
      while (fx.xlen(stream) < expected) {
        assertThat(System.nanoTime()).as("job %d relayed within 5 s", i).isLessThan(deadline);
      }
      micros[i] = (System.nanoTime() - started) / 1000;
    }
    java.util.Arrays.sort(micros);
    System.out.printf("RELAY: outbox commit (with NOTIFY) to stream entry, 20 jobs: median %.1f ms, max %.1f ms%n",
        micros[10] / 1000.0, micros[19] / 1000.0);

    fx.count("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        + "WHERE datname = current_database() AND query ILIKE 'LISTEN%') t");
    eventually(Duration.ofSeconds(10), "the relay listening again", () -> listeners() == 1);
    fx.enqueue("webhooks", "order.created", new JsonObject().put("eventId", 2));
    eventually(Duration.ofSeconds(5), "the second job on its stream", () -> fx.xlen(stream) == 21);
    // The relay marks a row relayed after its append's reply: the entry can be seen a moment before the mark.
    eventually(Duration.ofSeconds(5), "every row marked relayed",
        () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
  }

  @Test
  @DisplayName("a row sent again after its append's reply was lost (its mark rolled back) stays one stream entry")
  void rowSentTwiceIsAppendedOnce() {
    String stream = fx.services.keys().stream(JobQueue.MAIL);
    fx.enqueue("mail", "order.confirmation", new JsonObject().put("orderCode", "A"));
    eventually(Duration.ofSeconds(5), "the job on its stream", () -> fx.xlen(stream) == 1);
    // What a relay that lost Redis between the append and its reply leaves behind: the row unmarked.
    fx.sql("UPDATE outbox SET relayed_at = NULL, relayed_generation = NULL", Tuple.tuple());
    fx.enqueue("mail", "order.confirmation", new JsonObject().put("orderCode", "B"));
    eventually(Duration.ofSeconds(5), "both rows marked relayed",
        () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
    assertThat(fx.xlen(stream)).as("entries: the first row once, the second once").isEqualTo(2);
  }

  private long listeners() {
    return fx.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()");
  }
}
