package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Uses a redis-server of its own on another loopback port (never the shared one), stopped and
 * started again while jobs are written. Its append-only file survives the restart, as a
 * production Redis's would.
 */
@DisplayName("Outbox relay: a Redis outage delays jobs and loses none")
class RelayRedisOutageTest {

  private static final int JOBS = 300;

  private final Closer closer = new Closer();
  private DisposableRedis redis;
  private WorkerFixture fx;
  private WorkerFixture secondInstance;

  @AfterEach
  void stop() {
    closer.close();
  }

  @Test
  @DisplayName("with Redis stopped for a while during orders, every job is relayed once it returns, none twice")
  void everyJobRelayedOnceAfterOutage() throws Exception {
    assumeTrue(DisposableRedis.available(), "redis-server is not installed");
    redis = closer.add(DisposableRedis.start(true));
    Map<String, String> settings = Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_REDIS_URL", redis.url(),
        "ONSALE_RELAY_BATCH", "20",
        "ONSALE_RELAY_POLL_MS", "200");
    fx = closer.add(WorkerFixture.migrated(TestEnv.freshConfig(settings)));
    // Three relays on two instances, all competing for the same rows.
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    await(fx.vertx.deployVerticle(new OutboxRelayVerticle(fx.services)));
    secondInstance = closer.add(fx.sibling(fx.config));
    await(Workers.deploy(secondInstance.services, () -> Payments.service(secondInstance.services)));

    AtomicLong written = new AtomicLong();
    Thread orders = new Thread(() -> {
      for (int i = 0; i < JOBS; i++) {
        fx.enqueue("tickets", "ticket.pdf", new JsonObject().put("n", i));
        written.incrementAndGet();
        sleep(15);
      }
    }, "orders");
    orders.start();

    eventually(Duration.ofSeconds(20), "some jobs relayed", () -> written.get() > 60);
    redis.stop();
    long writtenAtStop = written.get();
    sleep(2500);
    long waiting = fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL");
    System.out.printf("OUTAGE: Redis down for 2.5 s; %d jobs written before, %d waiting in the outbox%n", writtenAtStop, waiting);
    assertThat(waiting).isPositive();
    redis.restart();
    orders.join();

    eventually(Duration.ofSeconds(30), "every row relayed", () -> fx.count("SELECT count(*) FROM outbox WHERE relayed_at IS NULL") == 0);
    Map<Long, Integer> seen = new HashMap<>();
    Response entries = fx.redis(Request.cmd(Command.XRANGE).arg(fx.services.keys().stream(JobQueue.TICKETS)).arg("-").arg("+"));
    for (Response entry : entries) {
      long id = StreamJob.parse(JobQueue.TICKETS, entry).job().id();
      seen.merge(id, 1, Integer::sum);
    }
    assertThat(fx.count("SELECT count(*) FROM outbox")).isEqualTo(JOBS);
    assertThat(seen).hasSize(JOBS);
    assertThat(seen.values()).allSatisfy(times -> assertThat(times).isEqualTo(1));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
