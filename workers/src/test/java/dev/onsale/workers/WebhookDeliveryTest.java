package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhooks: signed deliveries, retries and 410")
class WebhookDeliveryTest {

  private WorkerFixture fx;
  private HttpServer receiver;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicInteger flakyCalls = new AtomicInteger();

  record Delivery(String path, String signature, String event, String delivery, byte[] body) {}

  @BeforeEach
  void start() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "workers:webhooks",
        // The receiver listens on the loopback, which webhooks may only reach when the operator allows it.
        "ONSALE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1",
        "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MS", "100")));
    receiver = await(fx.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      deliveries.add(new Delivery(req.path(), req.getHeader("X-Onsale-Signature"), req.getHeader("X-Onsale-Event"),
          req.getHeader("X-Onsale-Delivery"), body.getBytes()));
      int status = switch (req.path()) {
        case "/ok" -> 204;
        case "/gone" -> 410;
        case "/flaky" -> flakyCalls.incrementAndGet() <= 2 ? 503 : 200;
        default -> 404;
      };
      req.response().setStatusCode(status).end();
    })).listen(0, "127.0.0.1"));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("each order event is POSTed once to each hook, signed with its secret; a failing hook is retried, a 410 disables its hook")
  void signedDeliveriesRetriesAndGone() {
    long eventId = fx.createEvent("Hooked Show", "Standing");
    long okHook = hook(eventId, "/ok", "secret-ok");
    long goneHook = hook(eventId, "/gone", "secret-gone");
    long flakyHook = hook(eventId, "/flaky", "secret-flaky");
    long otherEvent = fx.createEvent("Other Show", "Standing");
    hook(otherEvent, "/ok", "secret-other");

    WorkerFixture.Order order = fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 2, "Hook Buyer", "hook@example.org");
    eventually(Duration.ofSeconds(20), "the flaky hook succeeding on its third try", () -> flakyCalls.get() >= 3);
    eventually(Duration.ofSeconds(5), "the job done", () -> processed("succeeded") == 1);

    assertThat(paths()).containsExactlyInAnyOrder("/ok", "/gone", "/flaky", "/flaky", "/flaky");
    for (Delivery delivery : deliveries) {
      String secret = switch (delivery.path()) {
        case "/ok" -> "secret-ok";
        case "/gone" -> "secret-gone";
        default -> "secret-flaky";
      };
      assertThat(delivery.signature()).isEqualTo(WebhookSignature.sign(secret, delivery.body()));
      assertThat(delivery.signature()).matches("sha256=[0-9a-f]{64}");
      assertThat(delivery.event()).isEqualTo("order.created");
      JsonObject body = new JsonObject(new String(delivery.body(), StandardCharsets.UTF_8));
      assertThat(body.getString("type")).isEqualTo("order.created");
      assertThat(body.getJsonObject("data").getString("orderCode")).isEqualTo(order.code());
      assertThat(body.getJsonObject("data").getJsonArray("tickets")).hasSize(2);
    }
    Row gone = fx.one("SELECT active, disabled_reason FROM webhooks WHERE id = $1", Tuple.of(goneHook));
    assertThat(gone.getBoolean("active")).isFalse();
    assertThat(gone.getString("disabled_reason")).contains("410");
    assertThat(fx.one("SELECT active FROM webhooks WHERE id = $1", Tuple.of(okHook)).getBoolean("active")).isTrue();
    assertThat(fx.one("SELECT active FROM webhooks WHERE id = $1", Tuple.of(flakyHook)).getBoolean("active")).isTrue();

    // The next event of the order no longer goes to the disabled hook.
    deliveries.clear();
    fx.enqueue("webhooks", "order.cancelled", new JsonObject().put("eventId", eventId).put("orderId", order.id())
        .put("orderCode", order.code()).put("status", "cancelled"));
    eventually(Duration.ofSeconds(10), "the cancel delivered", () -> processed("succeeded") == 2);
    assertThat(paths()).containsExactlyInAnyOrder("/ok", "/flaky");
    assertThat(deliveries).allSatisfy(d -> assertThat(d.event()).isEqualTo("order.cancelled"));
  }

  private long hook(long eventId, String path, String secret) {
    return fx.one("INSERT INTO webhooks (event_id, url, secret) VALUES ($1, $2, $3) RETURNING id",
        Tuple.of(eventId, "http://127.0.0.1:" + receiver.actualPort() + path, secret)).getLong("id");
  }

  private List<String> paths() {
    return deliveries.stream().map(Delivery::path).toList();
  }

  private double processed(String outcome) {
    var counter = fx.services.meters().find("onsale.jobs.processed")
        .tags("queue", JobQueue.WEBHOOKS.streamName(), "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
