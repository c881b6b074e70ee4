package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A mail server that refuses every connection")
class MailOutageAlertTest {

  private int smtpPort;
  private GreenMail smtp;
  private RunningApp app;
  private TestHttp http;
  private Map<String, String> admin;

  @BeforeEach
  void start() {
    smtpPort = TestEnv.freePort();
    smtp = startSmtp();
    app = RunningApp.start(TestEnv.freshConfig(Map.of(
        "ONSALE_HTTP_INSTANCES", "1",
        "ONSALE_SMTP_PORT", String.valueOf(smtpPort),
        "ONSALE_QUEUE_MONITOR_INTERVAL_MS", "300",
        "ONSALE_QUEUE_MAIL_BACKOFF_MS", "500",
        "ONSALE_QUEUE_MAIL_BACKOFF_MAX_SECONDS", "3",
        "ONSALE_QUEUE_MAIL_TIMEOUT_SECONDS", "10")));
    http = app.http;
    admin = app.admin();
  }

  @AfterEach
  void stop() {
    try {
      if (app != null) {
        app.close();
      }
    } finally {
      if (smtp != null) {
        smtp.stop();
      }
    }
  }

  @Test
  @DisplayName("raises the mail queue's alert within a minute with the reason 'failing', and clears it once the server is back")
  void mailQueueAlertFiresAndClears() throws Exception {
    smtp.stop();
    smtp = null;
    long eventId = freeEventOnSale();
    order(eventId, "Ada", "ada@example.com");

    JsonObject failing = waitForMail(q -> "firing".equals(q.getString("alert")), 60);
    assertThat(failing.getString("alertReason")).isEqualTo("failing");
    assertThat(failing.getJsonArray("alertReasons")).contains("failing");
    assertThat(failing.getLong("failedLastMinute")).isGreaterThanOrEqualTo(3);
    assertThat(failing.getLong("backlog")).as("the job waiting for its retry is in the backlog").isGreaterThanOrEqualTo(1);
    eventuallyMetric("onsale_jobs_failing{queue=\"mail\"}", 1.0); // the gauges follow the API within a tick
    assertThat(metric("onsale_alert_active{queue=\"mail\"}")).isEqualTo(1.0);
    assertThat(metric("onsale_jobs_failing{queue=\"tickets\"}")).isEqualTo(0.0);
    JsonObject tickets = queue("tickets");
    assertThat(tickets.getString("alert")).as("the ticket PDFs are made all the same").isEqualTo("ok");

    smtp = startSmtp();
    JsonObject back = waitForMail(q -> "ok".equals(q.getString("alert")), 60);
    assertThat(back.getValue("alertReason")).isNull();
    assertThat(back.getLong("lastSuccessAt")).isNotNull();
    assertThat(smtp.waitForIncomingEmail(30_000, 1)).as("the confirmation went out once the server was back").isTrue();
    assertThat(smtp.getReceivedMessages()[0].getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
    eventuallyMetric("onsale_alert_active{queue=\"mail\"}", 0.0);
    assertThat(metric("onsale_jobs_failing{queue=\"mail\"}")).isEqualTo(0.0);
  }

  private GreenMail startSmtp() {
    return TestSmtp.listeningOn(smtpPort);
  }

  /** Free tickets, so that the order is paid at once and its confirmation mail is due. */
  private long freeEventOnSale() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject body = new JsonObject()
        .put("name", "Mail Outage Night").put("slug", "mail-outage").put("venue", "Quiet Hall")
        .put("startsAt", now.plus(10, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 600).put("maxActiveShoppers", 100)
        .put("maxTicketsPerOrder", 4).put("holdSeconds", 300)
        .put("waitingRoom", "off")
        .put("categories", new JsonArray().add(new JsonObject()
            .put("name", "Free entry").put("priceCents", 0).put("currency", "EUR").put("capacity", 10)));
    TestHttp.Answer created = http.post("/api/v1/admin/events", body, admin);
    assertThat(created.status()).as(created.raw().toString()).isEqualTo(201);
    return created.json().getLong("id");
  }

  private void order(long eventId, String name, String email) throws InterruptedException {
    long category = http.get("/api/v1/events/" + eventId).json().getJsonArray("categories").getJsonObject(0).getLong("id");
    JsonObject items = new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", category).put("quantity", 1)));
    TestHttp.Answer hold = http.post("/api/v1/events/" + eventId + "/reservations", items, Map.of());
    for (int i = 0; i < 20 && hold.status() != 201; i++) {
      Thread.sleep(250); // the shop learns of a new event within a second
      hold = http.post("/api/v1/events/" + eventId + "/reservations", items, Map.of());
    }
    assertThat(hold.status()).as(hold.raw().toString()).isEqualTo(201);
    TestHttp.Answer order = http.post(Holds.orderPath(hold.json()),
        new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", email)), Map.of());
    assertThat(order.status()).as(order.raw().toString()).isEqualTo(201);
    assertThat(order.json().getString("status")).isEqualTo("paid");
  }

  private JsonObject waitForMail(Predicate<JsonObject> condition, int seconds) throws InterruptedException {
    long deadline = System.currentTimeMillis() + seconds * 1000L;
    JsonObject mail = queue("mail");
    while (!condition.test(mail)) {
      assertThat(System.currentTimeMillis()).as("the mail queue did not get there in %d s: %s", seconds, mail).isLessThan(deadline);
      Thread.sleep(250);
      mail = queue("mail");
    }
    return mail;
  }

  private JsonObject queue(String name) {
    JsonArray queues = http.get("/api/v1/ops/queues", admin).json().getJsonArray("queues");
    return queues.stream().map(JsonObject.class::cast).filter(q -> name.equals(q.getString("queue"))).findFirst().orElseThrow();
  }

  private void eventuallyMetric(String series, double expected) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (metric(series) != expected) {
      assertThat(System.currentTimeMillis()).as("%s did not become %s", series, expected).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private double metric(String series) {
    String text = http.get("/metrics").raw().toString();
    return text.lines().filter(line -> line.startsWith(series + " ")).findFirst()
        .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no " + series + " in /metrics"));
  }
}
