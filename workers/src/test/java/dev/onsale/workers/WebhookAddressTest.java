package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.http.HttpServer;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A hook stored with a URL that points at this machine (registered before the rule, or a name whose
 * DNS answer changed since) is checked again at delivery, after resolution, and nothing is sent to
 * it while the operator has not allowed the address.
 */
@DisplayName("Webhook delivery to an internal address")
class WebhookAddressTest {

  private WorkerFixture fx;
  private HttpServer receiver;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fx = WorkerFixture.migrated(TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "workers:webhooks",
        "ONSALE_QUEUE_WEBHOOKS_BACKOFF_MS", "100")));
    receiver = await(fx.vertx.createHttpServer()
        .requestHandler(req -> {
          received.add(req.path());
          req.response().setStatusCode(204).end();
        })
        .listen(0, "127.0.0.1"));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  @Test
  @DisplayName("is refused after resolution: the receiver on the loopback gets nothing and the job retries")
  void refusedAtDelivery() {
    long eventId = fx.createEvent("Internal Hook Show", "Standing");
    for (String host : List.of("127.0.0.1", "localhost")) {
      fx.one("INSERT INTO webhooks (event_id, url, secret) VALUES ($1, $2, $3) RETURNING id",
          Tuple.of(eventId, "http://" + host + ":" + receiver.actualPort() + "/hook", "secret"));
    }
    fx.createOrder(eventId, fx.categoryId(eventId, "Standing"), 1, "Hook Buyer", "hook@example.org");
    eventually(Duration.ofSeconds(20), "the webhook job retried", () -> processed("retried") >= 2);
    assertThat(received).as("requests that reached the loopback receiver").isEmpty();
    assertThat(processed("succeeded")).isZero();
  }

  private double processed(String outcome) {
    var counter = fx.services.meters().find("onsale.jobs.processed")
        .tags("queue", JobQueue.WEBHOOKS.streamName(), "outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
