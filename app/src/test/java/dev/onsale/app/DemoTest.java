package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.bench.Bench;
import dev.onsale.bench.Report;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.Closer;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

@DisplayName("onsale demo, for a newcomer")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DemoTest {

  private final Closer closer = new Closer();
  private RunningApp app;

  @AfterEach
  void stop() {
    closer.close();
  }

  @Test
  @DisplayName("keeps the confirmation mail in-process and shows it, with its tickets attached, at /demo/mail")
  void mailsAreReadableAtDemoMail() throws Exception {
    DemoMailbox mailbox = closer.add(DemoMailbox.start());
    app = RunningApp.start(closer, TestEnv.freshConfig(Map.of(
        "ONSALE_HTTP_INSTANCES", "1",
        "ONSALE_SMTP_HOST", "127.0.0.1",
        "ONSALE_SMTP_PORT", String.valueOf(mailbox.port()))), List.of(mailbox::routes));
    try (TestHttp http = new TestHttp(app.port())) {
      TestHttp.Answer empty = http.get(DemoMailbox.PAGE);
      assertThat(empty.status()).isEqualTo(200);
      assertThat(empty.headers().get("Content-Type")).startsWith("text/html");
      assertThat(empty.raw().toString()).contains("No mail yet");

      long eventId = eventOnSale(http, 0, "off");
      order(http, eventId, "Grace <Hopper>", "grace@example.com");

      JsonArray mails = new JsonArray();
      long deadline = System.currentTimeMillis() + 60_000;
      while (mails.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(250);
        mails = http.get(DemoMailbox.JSON).json().getJsonArray("mails");
      }
      assertThat(mails).as("the confirmation arrived in the demo's mailbox").hasSize(1);
      JsonObject mail = mails.getJsonObject(0);
      assertThat(mail.getString("to")).isEqualTo("grace@example.com");
      assertThat(mail.getString("subject")).isNotBlank();
      assertThat(mail.getString("text")).contains("Grace");
      assertThat(mail.getJsonArray("attachments")).hasSize(1);
      String page = http.get(DemoMailbox.PAGE).raw().toString();
      assertThat(page).contains("grace@example.com").contains(DemoMailbox.escape(mail.getString("subject")))
          .contains("Grace &lt;Hopper&gt;").doesNotContain("Grace <Hopper>");
      if (java.nio.file.Files.isExecutable(Browser.CHROMIUM) && java.nio.file.Files.isExecutable(Browser.CHROMEDRIVER)) {
        readOnAPhone();
      }
    }
  }

  /** The mailbox page is readable on a 360 px phone: no sideways scrolling, the mail's text shown. */
  private void readOnAPhone() {
    try (Browser browser = Browser.open()) {
      browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
          Map.of("width", 360, "height", 800, "deviceScaleFactor", 1, "mobile", true));
      browser.driver.get("http://127.0.0.1:" + app.port() + DemoMailbox.PAGE);
      browser.waiting(10).until(d -> browser.text("main").contains("grace@example.com"));
      List<?> widths = (List<?>) browser.driver.executeScript("return [document.documentElement.scrollWidth, window.innerWidth];");
      assertThat(((Number) widths.get(0)).longValue()).as("/demo/mail scrolls sideways")
          .isLessThanOrEqualTo(((Number) widths.get(1)).longValue());
      assertThat(browser.text("main")).contains("Hello Grace");
      assertThat(browser.driver.findElements(org.openqa.selenium.By.cssSelector("pre.mail-text a[href*='/orders/']")))
          .as("the order link is clickable").hasSize(1);
      browser.fullScreenshot("demo-mail-360", 360);
    }
  }

  @Test
  @DisplayName("--crowd N sends N simulated buyers through the demo event's queue, which fills and drains")
  void crowdFillsTheQueue() throws Exception {
    int buyers = 40;
    app = RunningApp.start(closer, TestEnv.freshConfig(Map.of(
        "ONSALE_HTTP_INSTANCES", "1",
        "ONSALE_JOIN_RATE_PER_MINUTE", String.valueOf(buyers + 60))));
    try (TestHttp http = new TestHttp(app.port())) {
      long eventId = eventOnSale(http, 0, "on");
      List<String> args = DemoCrowd.arguments("http://127.0.0.1:" + app.port(), app.services().config().adminToken(),
          eventId, buyers, 6000, Path.of("target", "demo-crowd", "crowd"));
      assertThat(args).contains("--event-id", String.valueOf(eventId), "--buyers", String.valueOf(buyers));
      Report report = Bench.parse(args.toArray(String[]::new)).run(new PrintStream(new ByteArrayOutputStream()));

      JsonObject result = report.json().getJsonObject("buyers");
      assertThat(result.getLong("joined")).as(report.summary()).isEqualTo(buyers);
      assertThat(result.getLong("failed")).as(report.summary()).isZero();
      RedisKeys.Event keys = app.services().keys().event(eventId);
      assertThat(Long.parseLong(await(app.services().redisApi().get(keys.arrivals())).toString()))
          .as("every simulated buyer took a number").isEqualTo(buyers);
      assertThat(Long.parseLong(await(app.services().redisApi().get(keys.serving())).toString()))
          .as("and the queue moved past all of them").isGreaterThanOrEqualTo(buyers);
    }
  }

  @Test
  @DisplayName("refuses a negative crowd with a usage error, before starting anything")
  void refusesANegativeCrowd() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine commandLine = new CommandLine(new Onsale()).setErr(new java.io.PrintWriter(err, true));
    int code = commandLine.execute("demo", "--crowd", "-1");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--crowd must be between 0 and");
  }

  private long eventOnSale(TestHttp http, int priceCents, String waitingRoom) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject body = new JsonObject()
        .put("name", "Demo Test Night").put("slug", "demo-test").put("venue", "Test Hall")
        .put("startsAt", now.plus(10, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 6000).put("maxActiveShoppers", 100)
        .put("maxTicketsPerOrder", 4).put("holdSeconds", 300)
        .put("waitingRoom", waitingRoom)
        .put("categories", new JsonArray().add(new JsonObject()
            .put("name", "Standing").put("priceCents", priceCents).put("currency", "EUR").put("capacity", 100)));
    TestHttp.Answer created = http.post("/api/v1/admin/events", body,
        Map.of("Authorization", "Bearer " + app.services().config().adminToken()));
    assertThat(created.status()).as(created.raw().toString()).isEqualTo(201);
    return created.json().getLong("id");
  }

  private static void order(TestHttp http, long eventId, String name, String email) throws InterruptedException {
    long category = http.get("/api/v1/events/" + eventId).json().getJsonArray("categories").getJsonObject(0).getLong("id");
    JsonObject items = new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", category).put("quantity", 1)));
    TestHttp.Answer hold = http.post("/api/v1/events/" + eventId + "/reservations", items, Map.of());
    for (int i = 0; i < 20 && hold.status() != 201; i++) {
      Thread.sleep(250);
      hold = http.post("/api/v1/events/" + eventId + "/reservations", items, Map.of());
    }
    assertThat(hold.status()).as(hold.raw().toString()).isEqualTo(201);
    TestHttp.Answer order = http.post(Holds.orderPath(hold.json()),
        new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", email)), Map.of());
    assertThat(order.status()).as(order.raw().toString()).isEqualTo(201);
  }
}
