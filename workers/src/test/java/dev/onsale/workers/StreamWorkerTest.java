package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.Job;
import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stream workers: reclaiming a dead worker's jobs and dead-lettering a failing job")
class StreamWorkerTest {

  private WorkerFixture fx;
  private WorkerFixture other;

  @AfterEach
  void stop() {
    if (other != null) {
      other.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  @Test
  @DisplayName("jobs of a worker killed mid-job are reclaimed by another worker and done once")
  void killedWorkersJobsAreReclaimed() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_QUEUE_BACKGROUND_CONCURRENCY", "4",
        "ONSALE_QUEUE_BACKGROUND_RECLAIM_IDLE_SECONDS", "1",
        "ONSALE_QUEUE_BACKGROUND_BLOCK_MS", "200",
        "ONSALE_QUEUE_BACKGROUND_DRAIN_MS", "0")));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services))); // the relay only
    QueueSettings settings = QueueSettings.of(fx.config, JobQueue.BACKGROUND);

    // Worker A takes jobs and never finishes them: it hangs, and then its process dies.
    other = fx.sibling(fx.config);
    Set<Long> startedByA = ConcurrentHashMap.newKeySet();
    await(Workers.deployQueue(other.services, settings, job -> {
      startedByA.add(job.id());
      return Promise.<Void>promise().future();
    }));
    for (int i = 0; i < 4; i++) {
      fx.enqueue("background", "count.me", new JsonObject().put("n", i));
    }
    eventually(Duration.ofSeconds(10), "worker A holds the jobs", () -> startedByA.size() == 4);
    other.close(); // killed: nothing acknowledged
    other = null;
    assertThat(pendingCount()).isEqualTo(4);

    // Worker B reclaims them after the idle time and does each once.
    Map<Long, AtomicInteger> doneByB = new ConcurrentHashMap<>();
    await(Workers.deployQueue(fx.services, settings, job -> {
      doneByB.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet();
      return Future.succeededFuture();
    }));
    eventually(Duration.ofSeconds(15), "worker B did the 4 jobs", () -> doneByB.size() == 4);
    eventually(Duration.ofSeconds(5), "nothing pending", () -> pendingCount() == 0);
    sleep(2500); // longer than the idle time: nothing is claimed again
    assertThat(doneByB.keySet()).isEqualTo(startedByA);
    assertThat(doneByB.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    assertThat(fx.xlen(fx.services.keys().stream(JobQueue.BACKGROUND))).isZero();
  }

  @Test
  @DisplayName("a job that always fails ends in the dead-letter stream after N tries while other jobs flow")
  void failingJobIsDeadLettered() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_QUEUE_BACKGROUND_CONCURRENCY", "2",
        "ONSALE_QUEUE_BACKGROUND_MAX_ATTEMPTS", "4",
        "ONSALE_QUEUE_BACKGROUND_BACKOFF_MS", "100")));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    AtomicInteger poisonTries = new AtomicInteger();
    Map<Integer, Long> fineDoneAt = new ConcurrentHashMap<>();
    await(Workers.deployQueue(fx.services, QueueSettings.of(fx.config, JobQueue.BACKGROUND), (Job job) -> {
      if (job.type().equals("poison")) {
        poisonTries.incrementAndGet();
        return Future.failedFuture(new IllegalStateException("the printer is on fire"));
      }
      fineDoneAt.put(job.payload().getInteger("n"), System.nanoTime());
      return Future.succeededFuture();
    }));

    fx.enqueue("background", "poison", new JsonObject().put("what", "always fails"));
    for (int i = 0; i < 50; i++) {
      fx.enqueue("background", "fine", new JsonObject().put("n", i));
    }
    eventually(Duration.ofSeconds(15), "the 50 good jobs done", () -> fineDoneAt.size() == 50);
    String deadLetters = fx.services.keys().deadLetter(JobQueue.BACKGROUND);
    eventually(Duration.ofSeconds(15), "the poison job dead-lettered", () -> fx.xlen(deadLetters) == 1);

    assertThat(poisonTries.get()).isEqualTo(4);
    Response entry = fx.redis(Request.cmd(Command.XRANGE).arg(deadLetters).arg("-").arg("+")).get(0);
    Map<String, String> fields = new java.util.HashMap<>();
    for (int i = 0; i < entry.get(1).size(); i += 2) {
      fields.put(entry.get(1).get(i).toString(), entry.get(1).get(i + 1).toString());
    }
    assertThat(fields).containsEntry("type", "poison").containsEntry("attempt", "4");
    assertThat(fields.get("error")).contains("the printer is on fire");
    assertThat(new JsonObject(fields.get("payload")).getString("what")).isEqualTo("always fails");
    sleep(500);
    assertThat(poisonTries.get()).isEqualTo(4);
    assertThat(pendingCount()).isZero();
    double dead = fx.services.meters().get("onsale.jobs.processed").tags("queue", "background", "outcome", "dead_lettered").counter().count();
    double retried = fx.services.meters().get("onsale.jobs.processed").tags("queue", "background", "outcome", "retried").counter().count();
    assertThat(dead).isEqualTo(1);
    assertThat(retried).isEqualTo(3);
  }

  @Test
  @DisplayName("a job over its time limit is retried, and dead-lettered once its retry period is over")
  void slowJobTimesOutAndGivesUpAfterRetryPeriod() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_QUEUE_BACKGROUND_CONCURRENCY", "2",
        "ONSALE_QUEUE_BACKGROUND_TIMEOUT_SECONDS", "1",
        "ONSALE_QUEUE_BACKGROUND_MAX_ATTEMPTS", "100",
        "ONSALE_QUEUE_BACKGROUND_RETRY_SECONDS", "3",
        "ONSALE_QUEUE_BACKGROUND_BACKOFF_MS", "200")));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    AtomicInteger slowTries = new AtomicInteger();
    AtomicInteger fineDone = new AtomicInteger();
    await(Workers.deployQueue(fx.services, QueueSettings.of(fx.config, JobQueue.BACKGROUND), (Job job) -> {
      if (job.type().equals("slow")) {
        slowTries.incrementAndGet();
        return Promise.<Void>promise().future(); // never finishes
      }
      fineDone.incrementAndGet();
      return Future.succeededFuture();
    }));
    fx.enqueue("background", "slow", new JsonObject());
    for (int i = 0; i < 10; i++) {
      fx.enqueue("background", "fine", new JsonObject().put("n", i));
    }
    eventually(Duration.ofSeconds(10), "the fine jobs done", () -> fineDone.get() == 10);
    String deadLetters = fx.services.keys().deadLetter(JobQueue.BACKGROUND);
    eventually(Duration.ofSeconds(15), "the slow job dead-lettered", () -> fx.xlen(deadLetters) == 1);
    Response entry = fx.redis(Request.cmd(Command.XRANGE).arg(deadLetters).arg("-").arg("+")).get(0);
    assertThat(entry.get(1).toString()).contains("time limit of 1000 ms exceeded");
    assertThat(slowTries.get()).isBetween(2, 4);
  }

  @Test
  @DisplayName("a worker runs at most CONCURRENCY jobs at once and, when stopped, finishes and acknowledges the jobs in flight")
  void concurrencyAndGracefulStop() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "relay",
        "ONSALE_QUEUE_BACKGROUND_CONCURRENCY", "3",
        "ONSALE_QUEUE_BACKGROUND_BLOCK_MS", "100")));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    other = fx.sibling(fx.config);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Set<Long> done = ConcurrentHashMap.newKeySet();
    await(Workers.deployQueue(other.services, QueueSettings.of(fx.config, JobQueue.BACKGROUND), job -> {
      mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
      Promise<Void> finished = Promise.promise();
      other.vertx.setTimer(400, t -> {
        running.decrementAndGet();
        done.add(job.id());
        finished.complete();
      });
      return finished.future();
    }));
    for (int i = 0; i < 6; i++) {
      fx.enqueue("background", "slow.but.fine", new JsonObject().put("n", i));
    }
    eventually(Duration.ofSeconds(10), "three jobs running", () -> running.get() == 3);
    other.close(); // graceful: the three in flight finish first
    other = null;

    assertThat(mostAtOnce.get()).isEqualTo(3);
    assertThat(done).hasSize(3);
    assertThat(pendingCount()).isZero();
    assertThat(fx.xlen(fx.services.keys().stream(JobQueue.BACKGROUND))).isEqualTo(3); // the rest wait for the next worker
    Response consumers = fx.redis(Request.cmd(Command.XINFO).arg("CONSUMERS").arg(fx.services.keys().stream(JobQueue.BACKGROUND)).arg(JobCatalog.GROUP));
    assertThat(consumers.size()).isZero(); // the stopped worker left the group
  }

  private long pendingCount() {
    Response summary = fx.redis(Request.cmd(Command.XPENDING).arg(fx.services.keys().stream(JobQueue.BACKGROUND)).arg(JobCatalog.GROUP));
    return summary.get(0).toLong();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
