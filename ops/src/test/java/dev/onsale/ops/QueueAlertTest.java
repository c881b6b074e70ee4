package dev.onsale.ops;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.Eventually;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Queue-length alerting")
class QueueAlertTest {

  private static final int THRESHOLD = 20;

  private final java.util.concurrent.atomic.AtomicInteger receiverStatus = new java.util.concurrent.atomic.AtomicInteger(200);
  private Vertx receiverVertx;
  private HttpServer receiver;
  private final BlockingQueue<JsonObject> posted = new LinkedBlockingQueue<>();
  private OpsInstance ops;
  private RedisAPI redis;
  private String stream;

  @BeforeEach
  void start() {
    receiverVertx = Vertx.vertx();
    receiver = await(receiverVertx.createHttpServer()
        .requestHandler(request -> request.body().onSuccess(body -> {
          posted.add(body.toJsonObject().put("path", request.path()));
          request.response().setStatusCode(receiverStatus.get()).end("ok");
        }))
        .listen(0, "127.0.0.1"));
    ops = OpsInstance.start(TestEnv.freshConfig(Map.of(
        "ONSALE_QUEUE_MAIL_ALERT_THRESHOLD", String.valueOf(THRESHOLD),
        "ONSALE_QUEUE_MONITOR_INTERVAL_MS", "200",
        "ONSALE_ALERT_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/chat/hook")), true);
    redis = ops.services.redisApi();
    stream = ops.services.keys().stream(JobQueue.MAIL);
  }

  @AfterEach
  void stop() {
    ops.close();
    await(receiverVertx.close());
  }

  @Test
  @DisplayName("a mail queue past its threshold raises one alert (log, metric, webhook, API) and clears with a message once drained")
  void firesAboveThresholdAndClearsBelow() throws Exception {
    long twoMinutesAgo = System.currentTimeMillis() - 120_000;
    // All 30 at once (MULTI/EXEC), so that the monitor never samples half of them.
    List<Request> adds = new ArrayList<>(List.of(Request.cmd(Command.MULTI)));
    for (int i = 0; i < 30; i++) {
      adds.add(Request.cmd(Command.XADD).arg(stream).arg((twoMinutesAgo + i) + "-0").arg("id").arg(String.valueOf(i))
          .arg("type").arg("order.confirmation").arg("payload").arg("{}"));
    }
    adds.add(Request.cmd(Command.EXEC));
    await(ops.services.redis().batch(adds));

    JsonObject fired = posted.poll(15, TimeUnit.SECONDS);
    assertThat(fired).as("the webhook receives the alert").isNotNull();
    assertThat(fired.getString("path")).isEqualTo("/chat/hook");
    assertThat(fired.getString("text")).contains("mail job queue is backing up").contains("30 jobs waiting")
        .contains("threshold 20");
    eventually(() -> metric("onsale_alert_active{queue=\"mail\"}") == 1.0); // set just after the announcement
    assertThat(metric("onsale_alert_active{queue=\"tickets\"}")).isEqualTo(0.0);
    assertThat(metric("onsale_jobs_stream_length{queue=\"mail\"}")).isEqualTo(30.0);
    assertThat(metric("onsale_jobs_oldest_age_seconds{queue=\"mail\"}")).isGreaterThan(100.0);
    JsonObject mail = queue("mail");
    assertThat(mail.getString("alert")).isEqualTo("firing");
    assertThat(mail.getLong("backlog")).isEqualTo(30);
    assertThat(mail.getLong("threshold")).isEqualTo(THRESHOLD);
    assertThat(queue("tickets").getString("alert")).isEqualTo("ok");

    // Workers take 12 jobs and finish them: 18 left, under the threshold but above the clearing
    // level (16): the alert holds instead of flapping.
    await(redis.xgroup(List.of("CREATE", stream, JobCatalog.GROUP, "0")));
    consume(12, 12);
    eventually(() -> queue("mail").getLong("backlog") == 18);
    Thread.sleep(1_000);
    assertThat(queue("mail").getString("alert")).isEqualTo("firing");
    assertThat(posted).as("no second message while the queue hovers near its threshold").isEmpty();

    // Ten more taken, eight of them done: 2 in progress and 8 undelivered, 10 in all.
    consume(10, 8);
    JsonObject cleared = posted.poll(15, TimeUnit.SECONDS);
    assertThat(cleared).as("the webhook receives the all-clear").isNotNull();
    assertThat(cleared.getString("text")).contains("mail job queue is back to normal").contains("10 jobs waiting");
    eventually(() -> metric("onsale_alert_active{queue=\"mail\"}") == 0.0);
    JsonObject after = queue("mail");
    assertThat(after.getString("alert")).isEqualTo("ok");
    assertThat(after.getLong("pending")).isEqualTo(2);
    assertThat(after.getLong("undelivered")).isEqualTo(8);
    assertThat(after.getLong("length")).isEqualTo(30);
    assertThat(metric("onsale_jobs_pending{queue=\"mail\"}")).isEqualTo(2.0);
    Thread.sleep(600);
    assertThat(posted).as("each change is announced once").isEmpty();
  }

  @Test
  @DisplayName("a chat webhook that fails is tried three times, and the alert still shows in the metric and the API")
  void failingWebhookDoesNotStopTheAlert() throws Exception {
    receiverStatus.set(500);
    for (int i = 0; i < 25; i++) {
      await(redis.xadd(List.of(stream, "*", "id", String.valueOf(i), "type", "order.confirmation", "payload", "{}")));
    }
    for (int attempt = 1; attempt <= 3; attempt++) {
      assertThat(posted.poll(15, TimeUnit.SECONDS)).as("try %d", attempt).isNotNull();
    }
    assertThat(queue("mail").getString("alert")).isEqualTo("firing");
    eventually(() -> metric("onsale_alert_active{queue=\"mail\"}") == 1.0);
    Thread.sleep(1_000);
    assertThat(posted).as("no fourth try, and no new alert while it keeps firing").isEmpty();
    assertThat(metric("onsale_jobs_backlog{queue=\"mail\"}")).isEqualTo(25.0);
  }

  @Test
  @DisplayName("jobs waiting for a retry count in the backlog, are reported as retrying, and raise the backlog alert")
  void retryingJobsCountInTheBacklog() throws Exception {
    String delayed = ops.services.keys().delayed(JobQueue.MAIL);
    long inAnHour = System.currentTimeMillis() + 3_600_000;
    long tenMinutesAgo = System.currentTimeMillis() - 600_000;
    List<String> zadd = new ArrayList<>(List.of(delayed)); // one command: the monitor never sees half of them
    for (int i = 0; i < 25; i++) {
      zadd.add(String.valueOf(inAnHour + i));
      zadd.add(new JsonObject().put("id", String.valueOf(i)).put("createdAt", String.valueOf(tenMinutesAgo + i * 1000)).encode());
    }
    await(redis.zadd(zadd));
    JsonObject fired = posted.poll(15, TimeUnit.SECONDS);
    assertThat(fired).as("the webhook receives the alert").isNotNull();
    assertThat(fired.getString("text")).contains("mail job queue is backing up").contains("25 jobs waiting")
        .contains("25 waiting for a retry");
    JsonObject mail = queue("mail");
    assertThat(mail.getLong("retrying")).isEqualTo(25);
    assertThat(mail.getLong("backlog")).isEqualTo(25);
    assertThat(mail.getString("alert")).isEqualTo("firing");
    assertThat(mail.getString("alertReason")).isEqualTo("backlog");
    eventually(() -> metric("onsale_jobs_retrying{queue=\"mail\"}") == 25.0);
    assertThat(metric("onsale_jobs_backlog{queue=\"mail\"}")).isEqualTo(25.0);
    assertThat(mail.getDouble("oldestAgeSeconds")).as("the oldest job waiting for a retry was written ten minutes ago")
        .isBetween(590.0, 700.0);
  }

  @Test
  @DisplayName("a queue whose tries keep failing raises its failing alert with the reason, and clears once a job succeeds")
  void failingTriesRaiseTheFailingAlert() throws Exception {
    JobHealth health = new JobHealth(ops.services.keys());
    await(health.recordFailure(ops.services.redis(), JobQueue.MAIL, "1-0/1", System.currentTimeMillis()));
    await(health.recordFailure(ops.services.redis(), JobQueue.MAIL, "2-0/2", System.currentTimeMillis()));
    Thread.sleep(1_000);
    assertThat(queue("mail").getString("alert")).as("two failures are not yet failing").isEqualTo("ok");
    assertThat(queue("mail").getLong("failedLastMinute")).isEqualTo(2);
    assertThat(posted).isEmpty();

    await(health.recordFailure(ops.services.redis(), JobQueue.MAIL, "3-0/3", System.currentTimeMillis()));
    JsonObject fired = posted.poll(15, TimeUnit.SECONDS);
    assertThat(fired).as("the webhook receives the alert").isNotNull();
    assertThat(fired.getString("text")).contains("mail job queue is failing").contains("3 tries failed in the last minute");
    JsonObject mail = queue("mail");
    assertThat(mail.getString("alert")).isEqualTo("firing");
    assertThat(mail.getString("alertReason")).isEqualTo("failing");
    assertThat(mail.getJsonArray("alertReasons")).containsExactly("failing");
    eventually(() -> metric("onsale_jobs_failing{queue=\"mail\"}") == 1.0); // set just after the announcement
    assertThat(metric("onsale_alert_active{queue=\"mail\"}")).isEqualTo(1.0);
    assertThat(metric("onsale_jobs_failing{queue=\"tickets\"}")).isEqualTo(0.0);
    assertThat(queue("tickets").getString("alert")).isEqualTo("ok");

    // One more failure changes nothing; a success clears it.
    await(health.recordFailure(ops.services.redis(), JobQueue.MAIL, "4-0/4", System.currentTimeMillis()));
    Thread.sleep(600);
    assertThat(posted).as("no second message while it keeps failing").isEmpty();
    await(health.recordSuccess(ops.services.redis(), JobQueue.MAIL, System.currentTimeMillis() + 1));
    JsonObject cleared = posted.poll(15, TimeUnit.SECONDS);
    assertThat(cleared).as("the webhook receives the all-clear").isNotNull();
    assertThat(cleared.getString("text")).contains("mail job queue works again");
    eventually(() -> metric("onsale_alert_active{queue=\"mail\"}") == 0.0);
    assertThat(metric("onsale_jobs_failing{queue=\"mail\"}")).isEqualTo(0.0);
    assertThat(queue("mail").getString("alert")).isEqualTo("ok");
    assertThat(queue("mail").getValue("alertReason")).isNull();
  }

  @Test
  @DisplayName("the queues API needs the organizer token")
  void queuesNeedTheOrganizerToken() {
    assertThat(ops.get("/api/v1/ops/queues", null).statusCode()).isEqualTo(401);
    assertThat(ops.get("/api/v1/ops/queues", "wrong").statusCode()).isEqualTo(401);
    JsonObject body = new JsonObject(ops.get("/api/v1/ops/queues", ops.adminToken()).body());
    assertThat(body.getJsonArray("queues")).hasSize(JobQueue.values().length);
    assertThat(queue("background").getLong("length")).isZero();
    await(redis.xadd(List.of(ops.services.keys().deadLetter(JobQueue.BACKGROUND), "*", "id", "1", "error", "boom")));
    assertThat(queue("background").getLong("deadLetters")).isEqualTo(1);
  }

  /** Reads {@code count} jobs as a worker would, acknowledging the first {@code acked}. */
  private void consume(int count, int acked) {
    Response read = await(redis.xreadgroup(List.of("GROUP", JobCatalog.GROUP, "test-worker", "COUNT",
        String.valueOf(count), "STREAMS", stream, ">")));
    Response entries = read.get(0).get(1);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < acked; i++) {
      ids.add(entries.get(i).get(0).toString());
    }
    List<String> args = new ArrayList<>(List.of(stream, JobCatalog.GROUP));
    args.addAll(ids);
    await(redis.xack(args));
  }

  private JsonObject queue(String name) {
    JsonArray queues = new JsonObject(ops.get("/api/v1/ops/queues", ops.adminToken()).body()).getJsonArray("queues");
    return queues.stream().map(JsonObject.class::cast).filter(q -> name.equals(q.getString("queue"))).findFirst()
        .orElseThrow();
  }

  private double metric(String series) {
    String text = ops.get("/metrics", null).body();
    return text.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no " + series + " in /metrics"));
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    Eventually.eventually(java.time.Duration.ofSeconds(15), "condition not met in time", condition);
  }
}
