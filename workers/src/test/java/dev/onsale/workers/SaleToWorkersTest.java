package dev.onsale.workers;

import dev.onsale.sale.payment.Payments;
import static dev.onsale.common.testing.TestEnv.await;
import static dev.onsale.common.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.sale.SaleServer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The real sale core over HTTP, with the workers behind it: what a buyer and an organizer see. */
@DisplayName("From the sale core to the workers")
class SaleToWorkersTest {

  private GreenMail smtp;
  private WorkerFixture fx;
  private TestHttp http;
  private HttpServer receiver;
  private final List<JsonObject> hookCalls = new CopyOnWriteArrayList<>();
  private final List<String> hookSignatures = new CopyOnWriteArrayList<>();
  private final List<byte[]> hookBodies = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    fx = WorkerFixture.withSmtp(Map.of(
        "ONSALE_ROLES", "web,workers",
        // The webhook receiver listens on the loopback, which webhooks may only reach when the operator allows it.
        "ONSALE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.0/8",
        "ONSALE_QUEUE_MAIL_BACKOFF_MS", "100",
        "ONSALE_QUEUE_MAIL_BACKOFF_MAX_SECONDS", "1"));
    smtp = fx.smtp;
    await(SaleServer.deploy(fx.services, 1));
    await(Workers.deploy(fx.services, () -> Payments.service(fx.services)));
    http = new TestHttp(fx.config.httpPort());
    receiver = await(fx.vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      hookBodies.add(body.getBytes());
      hookSignatures.add(req.getHeader("X-Onsale-Signature"));
      hookCalls.add(body.toJsonObject());
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    try {
      http.close();
    } finally {
      fx.close();
    }
  }

  @Test
  @DisplayName("an order placed through the API gets downloadable PDFs, one mail and a signed webhook; cancelling removes the PDFs")
  void orderToPdfMailWebhookAndCancel() throws Exception {
    Map<String, String> admin = Map.of("Authorization", "Bearer " + fx.config.adminToken());
    JsonObject event = http.post("/api/v1/admin/events", event(), admin).json();
    long eventId = event.getLong("id");
    long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    TestHttp.Answer hook = http.post("/api/v1/admin/events/" + eventId + "/webhooks",
        new JsonObject().put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook"), admin);
    assertThat(hook.status()).isEqualTo(201);
    String hookSecret = hook.json().getString("secret");

    TestHttp.Answer reservation = http.post("/api/v1/events/" + eventId + "/reservations", new JsonObject()
        .put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", 2))), Map.of());
    assertThat(reservation.status()).isEqualTo(201);
    TestHttp.Answer order = http.post(Holds.orderPath(reservation.json()),
        new JsonObject().put("buyer", new JsonObject().put("name", "Marie Curie").put("email", "marie@example.org")), Map.of());
    assertThat(order.status()).isEqualTo(201);
    String code = order.json().getString("code");
    String secret = order.json().getString("secret");
    assertThat(order.json().getString("status")).isEqualTo("pending");
    String paymentId = order.json().getJsonObject("payment").getString("id");
    http.get(order.json().getJsonObject("payment").getString("url"));
    assertThat(http.post("/api/v1/payments/test/" + paymentId + "/succeed", new JsonObject(), Map.of()).json()
        .getString("result")).isEqualTo("paid");

    eventually(Duration.ofSeconds(30), "both pdfUrls", () -> pdfUrls(code, secret).size() == 2);
    List<String> urls = pdfUrls(code, secret);
    for (int i = 0; i < urls.size(); i++) {
      TestHttp.Answer pdf = http.get(urls.get(i));
      assertThat(pdf.status()).isEqualTo(200);
      // The organizer gave the start as a local time in Europe/Berlin; the order kept the price.
      assertThat(OrderJobsTest.pdfText(pdf.raw().getBytes())).contains("Worker Night", "Marie Curie", code + "-",
          "Sat 18 Jan 2031, 20:00 CET (Europe/Berlin)", "25.00 EUR", "Ticket " + (i + 1) + " of 2");
    }

    assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
    MimeMessage mail = smtp.getReceivedMessages()[0];
    assertThat(OrderJobsTest.pdfAttachments(mail)).hasSize(2);
    assertThat(mail.getContent().toString()).isNotNull();

    eventually(Duration.ofSeconds(20), "the order.created and order.paid webhooks", () -> hookCalls.size() == 2);
    assertThat(hookCalls.stream().map(c -> c.getString("type"))).containsExactlyInAnyOrder("order.created", "order.paid");
    assertThat(hookCalls.get(0).getJsonObject("data").getString("orderCode")).isEqualTo(code);
    assertThat(hookSignatures.get(0)).isEqualTo(WebhookSignature.sign(hookSecret, hookBodies.get(0)));

    assertThat(http.post("/api/v1/admin/orders/" + code + "/cancel", new JsonObject(), admin).status()).isEqualTo(200);
    eventually(Duration.ofSeconds(20), "the PDFs removed", () -> fx.count("SELECT count(*) FROM ticket_pdfs") == 0);
    eventually(Duration.ofSeconds(20), "the order.cancelled webhook", () -> hookCalls.size() == 3);
    assertThat(hookCalls.get(2).getString("type")).isEqualTo("order.cancelled");
    for (String url : urls) {
      assertThat(http.get(url).status()).isEqualTo(404);
    }
    Thread.sleep(300);
    assertThat(smtp.getReceivedMessages()).hasSize(1);
    assertThat(new String(hookBodies.get(2), StandardCharsets.UTF_8)).contains("cancelled");
    eventually(Duration.ofSeconds(20), "the cancelled order's payment refunded by the payments worker",
        () -> fx.count("SELECT count(*) FROM payments WHERE id = $1::uuid AND status = 'refunded'", paymentId) == 1);
  }

  private List<String> pdfUrls(String code, String secret) {
    JsonObject order = http.get("/api/v1/orders/" + code + "?secret=" + secret).json();
    return order.getJsonArray("tickets").stream()
        .map(t -> ((JsonObject) t).getString("pdfUrl"))
        .filter(url -> url != null)
        .toList();
  }

  private static JsonObject event() {
    return TestEvents.onSale("worker-night")
        .put("name", "Worker Night").put("venue", "Stream Hall")
        .put("timeZone", "Europe/Berlin").put("startsAt", "2031-01-18T20:00")
        .put("categories", new JsonArray().add(TestEvents.category("Standing", 2500, 50)));
  }
}
