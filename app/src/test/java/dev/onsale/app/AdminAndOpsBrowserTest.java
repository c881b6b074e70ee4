package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

@DisplayName("The organizer and ops pages during a small sale, in a browser")
class AdminAndOpsBrowserTest {

  private static final DateTimeFormatter LOCAL_INPUT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private RunningApp app;
  private Browser browser;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() {
    app = RunningApp.start(TestEnv.freshConfig(Map.of("ONSALE_QUEUE_MONITOR_INTERVAL_MS", "500")));
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("an organizer creates and schedules an event on /admin, pauses and resumes it, and /ops follows the sale live")
  void createScheduleAndWatchASale() throws Exception {
    browser = app.add(Browser.open());
    String base = "http://127.0.0.1:" + app.port();

    // Log in on /admin.
    browser.driver.get(base + "/admin");
    WebElement token = browser.waiting(10).until(d -> d.findElement(By.id("token")).isDisplayed() ? d.findElement(By.id("token")) : null);
    token.sendKeys(app.services().config().adminToken());
    browser.driver.findElement(By.cssSelector("#login-form button")).click();
    browser.waiting(10).until(d -> d.findElement(By.id("create-form")).isDisplayed());
    assertThat(browser.text("#no-events")).contains("No events yet");

    // Create an event with two categories; its default schedule is in the future.
    type("c-name", "Browser Test Night");
    assertThat(browser.driver.findElement(By.id("c-slug")).getAttribute("value")).isEqualTo("browser-test-night");
    type("c-venue", "Headless Hall, Berlin");
    WebElement firstCategory = browser.driver.findElement(By.cssSelector("#c-categories .cat-row"));
    replace(firstCategory.findElement(By.className("cat-capacity")), "40");
    browser.driver.findElement(By.id("c-add-category")).click();
    WebElement second = browser.driver.findElements(By.cssSelector("#c-categories .cat-row")).get(1);
    second.findElement(By.className("cat-name")).sendKeys("Seated");
    second.findElement(By.className("cat-price")).sendKeys("79.00");
    second.findElement(By.className("cat-capacity")).sendKeys("20");
    browser.fullScreenshot("admin-create-form");
    browser.driver.findElement(By.id("c-submit")).click();
    browser.waiting(10).until(d -> browser.text("#create-result").contains("Created"));
    browser.waiting(10).until(d -> browser.text("#event-list tbody").contains("Browser Test Night"));
    assertThat(browser.text("#event-list tbody")).contains("SCHEDULED");
    assertThat(browser.text("#sel-name")).isEqualTo("Browser Test Night");

    JsonObject event = adminEvents().getJsonObject(0);
    long eventId = event.getLong("id");
    assertThat(event.getJsonArray("categories")).hasSize(2);
    assertThat(event.getString("waitingRoom")).isEqualTo("on");
    assertThat(event.getString("queueOpensAt")).isNotNull();

    // Reschedule: queue open a minute ago, sale starting now; and a new admission rate. The form
    // takes the times in the event's zone (by default the browser's).
    LocalDateTime now = LocalDateTime.now(ZoneId.of(event.getString("timeZone"))).truncatedTo(ChronoUnit.SECONDS);
    setInput("p-queueOpensAt", now.minusMinutes(1));
    setInput("p-saleStartsAt", now.minusSeconds(5));
    replace(browser.driver.findElement(By.id("p-rate")), "120");
    browser.driver.findElement(By.id("p-save")).click();
    browser.waiting(10).until(d -> browser.text("#patch-result").contains("Saved"));
    browser.waiting(10).until(d -> browser.text("#event-list tbody").contains("ON SALE"));
    JsonObject rescheduled = adminEvents().getJsonObject(0);
    assertThat(rescheduled.getInteger("admissionRatePerMinute")).isEqualTo(120);
    assertThat(browser.text("#event-list tbody")).contains("120");

    // Pause: the shop refuses; resume: it sells again.
    browser.driver.findElement(By.id("p-pause")).click();
    browser.waiting(10).until(d -> browser.text("#sel-state").equalsIgnoreCase("paused"));
    long standing = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    long seated = event.getJsonArray("categories").getJsonObject(1).getLong("id");
    eventually(() -> !publicEvent(eventId).getBoolean("saleOpen"), "buyers see the sale closed while paused");
    browser.screenshot("admin-paused");
    browser.driver.findElement(By.id("p-pause")).click();
    browser.waiting(10).until(d -> browser.text("#sel-state").equalsIgnoreCase("on sale"));
    eventually(() -> publicEvent(eventId).getBoolean("saleOpen"), "buyers see the sale open again");

    // Watch /ops (same tab: the token stays in sessionStorage) while buyers order.
    browser.driver.get(base + "/ops");
    String card = "#event-" + eventId;
    browser.waiting(15).until(d -> browser.text(card).contains("Browser Test Night"));
    browser.waiting(15).until(d -> browser.text("#ev" + eventId + "-left").equals("60 / 60"));
    AtomicInteger orders = new AtomicInteger();
    java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    // Twelve buyers join the queue, are admitted two a second, reserve two tickets and order.
    java.util.List<String> queueTokens = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> joined = post(base + "/api/v1/events/" + eventId + "/queue", new JsonObject(), null);
      if (joined.statusCode() == 404 && queueTokens.isEmpty()) {
        // This build has no waiting room yet: the shop opens without one.
        patchEvent(eventId, new JsonObject().put("waitingRoom", "off"));
        sleep(1_100);
        break;
      }
      assertThat(joined.statusCode() / 100).as(joined.body()).isEqualTo(2);
      queueTokens.add(new JsonObject(joined.body()).getString("queueToken"));
    }
    boolean waitingRoom = !queueTokens.isEmpty();
    Thread buyers = new Thread(() -> {
      for (int i = 0; i < 12; i++) {
        String admission = waitingRoom ? admitted(base, eventId, queueTokens.get(i)) : null;
        long category = i % 3 == 2 ? seated : standing;
        HttpResponse<String> hold = post(base + "/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), admission);
        for (int retry = 0; retry < 5 && hold.statusCode() == 409 && hold.body().contains("sale_paused"); retry++) {
          // Each web verticle caches the event for a second: right after "resume" a buyer may
          // still be told the sale is paused, and tries again as the shop page would.
          sleep(400);
          hold = post(base + "/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), admission);
        }
        if (hold.statusCode() != 201) {
          failures.add("reserve " + hold.statusCode() + " " + hold.body());
          continue;
        }
        HttpResponse<String> order = post(base + Holds.orderPath(new JsonObject(hold.body())), buyer(i), admission);
        if (order.statusCode() == 201) {
          payWithTestProvider(base, new JsonObject(order.body()), failures);
          orders.incrementAndGet();
        } else {
          failures.add("order " + order.statusCode() + " " + order.body());
        }
        if (!waitingRoom) {
          sleep(350);
        }
      }
    }, "buyers");
    buyers.start();
    if (waitingRoom) {
      browser.waiting(15).until(d -> Long.parseLong(browser.text("#ev" + eventId + "-waiting").replace(",", "")) >= 5);
      browser.screenshot("ops-queue-waiting");
    }
    browser.waiting(15).until(d -> {
      assertThat(failures).isEmpty();
      double perSecond = Double.parseDouble(browser.text("#ev" + eventId + "-ops").replace(",", ""));
      return perSecond > 0;
    });
    browser.screenshot("ops-during-sale");
    buyers.join(30_000);
    assertThat(failures).isEmpty();
    assertThat(orders.get()).isEqualTo(12);
    browser.waiting(15).until(d -> browser.text("#ev" + eventId + "-left").equals("36 / 60"));
    String categories = browser.text("#ev" + eventId + "-cats");
    assertThat(categories).contains("Standing\t24\t40").contains("Seated\t12\t20");
    assertThat(browser.driver.findElements(By.cssSelector(card + " canvas"))).hasSizeGreaterThanOrEqualTo(2);
    assertThat(browser.text("#queues tbody")).contains("tickets").contains("mail");
    sleep(3_000); // a few more points on the charts
    browser.fullScreenshot("ops-after-sale");

    // The organizer's page shows the sales.
    browser.driver.get(base + "/admin");
    browser.waiting(10).until(d -> browser.text("#event-list tbody").contains("Browser Test Night"));
    browser.driver.findElement(By.cssSelector("#event-list tbody tr")).click();
    browser.waiting(10).until(d -> browser.text("#st-sold").equals("24"));
    assertThat(browser.text("#st-orders")).isEqualTo("12");
    assertThat(browser.text("#st-available")).isEqualTo("36 / 60");
    browser.fullScreenshot("admin-sales");
  }

  private void type(String id, String text) {
    browser.driver.findElement(By.id(id)).sendKeys(text);
  }

  private static void replace(WebElement input, String text) {
    input.clear();
    input.sendKeys(text);
  }

  /** datetime-local inputs take typed text in the browser's locale format; set the value the way a date picker does. */
  private void setInput(String id, LocalDateTime value) {
    browser.driver.executeScript("var el = document.getElementById(arguments[0]); el.value = arguments[1];"
        + " el.dispatchEvent(new Event('input', {bubbles: true}));", id, LOCAL_INPUT.format(value));
  }

  private JsonObject publicEvent(long eventId) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/events/" + eventId)).build();
      return new JsonObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void eventually(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      assertThat(System.currentTimeMillis()).as(what).isLessThan(deadline);
      sleep(100);
    }
  }

  /** Polls the queue status as the queue page does, until the buyer is admitted. */
  private String admitted(String base, long eventId, String queueToken) {
    long deadline = System.currentTimeMillis() + 40_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/events/" + eventId + "/queue/status"))
            .header("Authorization", "Bearer " + queueToken).build();
        String token = new JsonObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body()).getString("admissionToken");
        if (token != null) {
          return token;
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      sleep(250);
    }
    throw new AssertionError("not admitted in time");
  }

  private void patchEvent(long eventId, JsonObject body) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/admin/events/" + eventId))
          .header("Authorization", "Bearer " + app.services().config().adminToken())
          .header("Content-Type", "application/json")
          .method("PATCH", HttpRequest.BodyPublishers.ofString(body.encode())).build();
      assertThat(http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private JsonArray adminEvents() {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/admin/events"))
          .header("Authorization", "Bearer " + app.services().config().adminToken()).build();
      return new JsonObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body()).getJsonArray("events");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> post(String url, JsonObject body) {
    return post(url, body, null);
  }

  private HttpResponse<String> post(String url, JsonObject body, String bearer) {
    try {
      HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
      if (bearer != null) {
        builder.header("Authorization", "Bearer " + bearer);
      }
      HttpRequest request = builder.build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject buyer(int i) {
    return new JsonObject().put("buyer", new JsonObject().put("name", "Buyer " + i).put("email", "buyer" + i + "@example.com"));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The buyer pays as the test provider's page would let them: open payment.url, then "Pay". */
  private void payWithTestProvider(String base, JsonObject order, java.util.List<String> failures) {
    JsonObject payment = order.getJsonObject("payment");
    if (payment == null) {
      return;
    }
    try {
      http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + payment.getString("url"))).GET().build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (Exception e) {
      failures.add("open payment " + e);
      return;
    }
    HttpResponse<String> paid = post(base + "/api/v1/payments/test/" + payment.getString("id") + "/succeed", new JsonObject(), null);
    if (paid.statusCode() != 200) {
      failures.add("pay " + paid.statusCode() + " " + paid.body());
    }
  }
}
