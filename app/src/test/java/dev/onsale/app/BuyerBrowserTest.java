package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestSmtp;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A buyer's whole path in headless Chromium on a phone-sized window, against a full Onsale instance:
 * the queue page, the pre-queue countdown, admission, the shop, the hold, checkout and the
 * test provider's pay page (declined once, then paid) and the order page with ticket links. Screenshots of each step go to {@code target/screenshots/}.
 */
@DisplayName("A buyer in the browser")
class BuyerBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final int PHONE_WIDTH = 360;
  private static final int AHEAD = 30;

  private static OnsaleApp app;
  private static TestSmtp smtp;
  private static OnsaleConfig config;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "headless Chromium is not installed (scripts/ensure-test-tools.sh)");
    smtp = TestSmtp.listening();
    config = TestEnv.freshConfig(Map.of(
        "ONSALE_ROLES", "web,workers",
        "ONSALE_HTTP_INSTANCES", "1",
        "ONSALE_SMTP_PORT", String.valueOf(smtp.port())));
    app = TestEnv.await(OnsaleApp.start(config));
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      TestEnv.await(app.stop());
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  @Test
  @DisplayName("opens /e/{slug}, waits in the pre-queue, is admitted, reserves, sees the total, is declined once, pays and gets the ticket links")
  void buysTickets() throws Exception {
    JsonObject event = createEvent("browser-night", 12);
    String slug = event.getString("slug");
    Files.createDirectories(SCREENSHOTS);
    // Thirty buyers were quicker: at 300 a minute they are admitted over six seconds after the sale starts.
    for (int i = 0; i < AHEAD; i++) {
      HttpResponse<String> joined = HTTP.send(HttpRequest.newBuilder(
              URI.create(url("/api/v1/events/" + event.getLong("id") + "/queue")))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(joined.statusCode()).isEqualTo(201);
    }

    WebDriver driver = chromium();
    try {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
      driver.get(url("/e/" + slug));

      // 1. The queue page: the event, the countdown to the sale and the buyer's number.
      wait.until(ExpectedConditions.textMatches(By.id("number"), java.util.regex.Pattern.compile("\\d+")));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("countdown-box")));
      assertThat(driver.findElement(By.id("event-name")).getText()).isEqualTo("Browser Night");
      assertThat(driver.findElement(By.id("queue-message")).getText()).contains("pre-queue");
      assertThat(driver.findElement(By.id("number")).getText()).isEqualTo(String.valueOf(AHEAD + 1));
      assertThat(driver.findElement(By.id("ahead")).getText()).isEqualTo(String.valueOf(AHEAD));
      assertFitsPhone(driver);
      screenshot(driver, "01-prequeue-countdown");

      // A refresh keeps the place.
      driver.navigate().refresh();
      wait.until(ExpectedConditions.textMatches(By.id("number"), java.util.regex.Pattern.compile("\\d+")));
      assertThat(driver.findElement(By.id("number")).getText()).isEqualTo(String.valueOf(AHEAD + 1));

      // The sale starts: the buyer waits their turn, with place, people ahead, wait and progress.
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("queue-message"), "in line. Estimated wait"));
      wait.until(d -> {
        String place = d.findElement(By.id("position")).getText();
        return place.matches("\\d+") && Integer.parseInt(place) <= AHEAD / 2;
      });
      int place = Integer.parseInt(driver.findElement(By.id("position")).getText());
      assertThat(place).isBetween(1, AHEAD / 2);
      assertThat(driver.findElement(By.id("ahead")).getText()).isEqualTo(String.valueOf(place - 1));
      assertThat(Integer.parseInt(driver.findElement(By.id("progress")).getAttribute("value"))).isPositive();
      screenshot(driver, "02-waiting-in-line");

      // 2. The buyer is admitted and the buyer is admitted: the shop with categories, prices and availability.
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("shop-view")));
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#categories select")));
      String shopText = driver.findElement(By.id("shop-view")).getText();
      assertThat(shopText).contains("Standing").contains("Seated").contains("45.00").contains("left");
      assertThat(driver.findElement(By.id("admission-timer")).getText()).contains("Reserve within");
      assertFitsPhone(driver);
      screenshot(driver, "03-admitted-shop");

      // 3. Reserve two standing tickets: the hold with its timer and the checkout form.
      List<WebElement> quantities = driver.findElements(By.cssSelector("#categories select"));
      new Select(quantities.get(0)).selectByValue("2");
      driver.findElement(By.id("reserve-button")).click();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("checkout-view")));
      wait.until(ExpectedConditions.textMatches(By.id("hold-timer"), java.util.regex.Pattern.compile("\\d+ min")));
      assertThat(driver.findElement(By.id("held-summary")).getText()).contains("2 × Standing");
      screenshot(driver, "04-hold-checkout");

      // 4. Checkout: each line at its price and the total, then off to pay.
      assertThat(driver.findElement(By.id("held-summary")).getText()).contains("2 × Standing at").contains("45.00");
      assertThat(driver.findElement(By.id("held-total")).getText()).contains("90.00");
      driver.findElement(By.id("buyer-name")).sendKeys("Ada Lovelace");
      driver.findElement(By.id("buyer-email")).sendKeys("ada@example.org");
      screenshot(driver, "05-checkout-total");
      driver.findElement(By.id("order-button")).click();

      // 5. The test provider's pay page: the amount and the order. The first card is declined.
      wait.until(ExpectedConditions.urlContains("/pay/test/"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("amount"), "90.00"));
      assertFitsPhone(driver);
      screenshot(driver, "06-pay-page");
      driver.findElement(By.id("decline-button")).click();

      // 6. The order page says what went wrong, what is left to do and until when, and offers a new attempt.
      wait.until(ExpectedConditions.urlContains("/orders/"));
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("retry-button")));
      assertThat(driver.findElement(By.id("order-status")).getText()).isEqualTo("Waiting for your payment");
      assertThat(driver.findElement(By.id("order-next")).getText()).contains("did not go through").contains("until");
      assertThat(driver.findElement(By.id("total")).getText()).contains("90.00");
      String code = driver.findElement(By.id("order-code")).getText();
      assertFitsPhone(driver);
      screenshot(driver, "07-declined-retry");
      driver.findElement(By.id("retry-button")).click();
      wait.until(ExpectedConditions.urlContains("/pay/test/"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("amount"), "90.00"));
      driver.findElement(By.id("pay-button")).click();

      // 7. Paid: the order page lists the tickets, and the tickets worker's PDFs appear by themselves.
      wait.until(ExpectedConditions.urlContains("/orders/"));
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("order-status"), "Paid"));
      assertThat(driver.findElement(By.id("order-code")).getText()).isEqualTo(code);
      wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#tickets a"), 2));
      assertThat(driver.findElement(By.id("tickets")).getText()).contains("Ticket 1 of 2").contains("Standing");
      String href = driver.findElement(By.cssSelector("#tickets a")).getAttribute("href");
      HttpResponse<byte[]> pdf = HTTP.send(HttpRequest.newBuilder(URI.create(href)).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(pdf.statusCode()).isEqualTo(200);
      assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
      assertFitsPhone(driver);
      screenshot(driver, "08-paid-tickets-ready");

      // No script was blocked by the Content-Security-Policy and nothing failed on the page.
      List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
          .toList();
      assertThat(errors).extracting(LogEntry::getMessage).isEmpty();
    } finally {
      driver.quit();
    }

    JsonObject stats = adminGet("/api/v1/admin/events/" + event.getLong("id") + "/stats");
    assertThat(stats.getLong("sold")).isEqualTo(2);
    // The confirmation the page promises went out by mail.
    assertThat(smtp.waitForIncomingEmail(30_000, 1)).isTrue();
  }

  @Test
  @DisplayName("a sold-out event tells the buyer so on the queue page")
  void soldOut() throws Exception {
    JsonObject event = createEvent("sold-out-night", 0);
    long eventId = event.getLong("id");
    // Sell the only tickets with the waiting room off, then turn it back on.
    patch(eventId, new JsonObject().put("waitingRoom", "off"));
    JsonObject categories = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/events/" + eventId))).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body().transform(JsonObject::new);
    long categoryId = categories.getJsonArray("categories").getJsonObject(1).getLong("id");
    for (int i = 0; i < 2; i++) {
      JsonObject reservation = post("/api/v1/events/" + eventId + "/reservations",
          new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", 1))));
      pay(post(Holds.orderPath(reservation),
          new JsonObject().put("buyer", new JsonObject().put("name", "Early Bird").put("email", "early@example.org"))));
    }
    JsonObject standing = categories.getJsonArray("categories").getJsonObject(0);
    for (int i = 0; i < standing.getInteger("capacity"); i += 4) {
      JsonObject reservation = post("/api/v1/events/" + eventId + "/reservations",
          new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", standing.getLong("id"))
              .put("quantity", Math.min(4, standing.getInteger("capacity") - i)))));
      pay(post(Holds.orderPath(reservation),
          new JsonObject().put("buyer", new JsonObject().put("name", "Early Bird").put("email", "early@example.org"))));
    }
    patch(eventId, new JsonObject().put("waitingRoom", "on"));
    Files.createDirectories(SCREENSHOTS);
    WebDriver driver = chromium();
    try {
      driver.get(url("/e/" + event.getString("slug")));
      new WebDriverWait(driver, Duration.ofSeconds(30)).until(
          ExpectedConditions.textToBePresentInElementLocated(By.id("queue-message"), "Sold out"));
      assertThat(driver.findElement(By.id("remaining")).getText()).isEqualTo("0");
      screenshot(driver, "09-sold-out");
    } finally {
      driver.quit();
    }
  }

  private static WebDriver chromium() {
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", "--window-size=500,900");
    // Desktop windows are at least 500 px wide: emulate the phone's 360 px viewport instead.
    options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
        Map.of("width", PHONE_WIDTH, "height", 780, "pixelRatio", 1.0)));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new ChromeDriver(options);
  }

  /** Nothing sticks out sideways on a 360 px wide phone. */
  private static void assertFitsPhone(WebDriver driver) {
    org.openqa.selenium.JavascriptExecutor js = (org.openqa.selenium.JavascriptExecutor) driver;
    assertThat(((Number) js.executeScript("return window.innerWidth;")).intValue()).isEqualTo(PHONE_WIDTH);
    assertThat(((Number) js.executeScript("return document.documentElement.scrollWidth;")).intValue())
        .isLessThanOrEqualTo(PHONE_WIDTH);
  }

  private static void screenshot(WebDriver driver, String name) throws Exception {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(SCREENSHOTS.resolve(name + ".png"), png);
  }

  private static JsonObject createEvent(String slug, int saleInSeconds) throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject body = new JsonObject()
        .put("name", slug.equals("browser-night") ? "Browser Night" : "Sold Out Night")
        .put("slug", slug)
        .put("venue", "The Test Hall")
        .put("startsAt", now.plus(30, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.minusSeconds(5).toString())
        .put("saleStartsAt", now.plusSeconds(saleInSeconds).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 300)
        .put("maxActiveShoppers", 50)
        .put("maxTicketsPerOrder", 4)
        .put("holdSeconds", 300)
        .put("waitingRoom", "on")
        .put("preQueue", "fifo")
        .put("categories", new JsonArray()
            .add(new JsonObject().put("name", "Standing").put("priceCents", 4500).put("currency", "EUR").put("capacity", 8))
            .add(new JsonObject().put("name", "Seated").put("priceCents", 7900).put("currency", "EUR").put("capacity", 2)));
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/admin/events")))
        .header("Authorization", "Bearer " + config.adminToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return new JsonObject(response.body());
  }

  private static void patch(long eventId, JsonObject changes) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/admin/events/" + eventId)))
        .header("Authorization", "Bearer " + config.adminToken())
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(changes.encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonObject post(String path, JsonObject body) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(201);
    return new JsonObject(response.body());
  }

  /** Pays a pending order through the test provider, as its pay page would. */
  private static void pay(JsonObject order) throws Exception {
    String paymentId = order.getJsonObject("payment").getString("id");
    HttpResponse<String> opened = HTTP.send(HttpRequest.newBuilder(URI.create(url(order.getJsonObject("payment").getString("url"))))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(opened.statusCode()).isEqualTo(303);
    HttpResponse<String> paid = HTTP.send(HttpRequest.newBuilder(URI.create(url("/api/v1/payments/test/" + paymentId + "/succeed")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
  }

  private static JsonObject adminGet(String path) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
        .header("Authorization", "Bearer " + config.adminToken())
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + config.httpPort() + path;
  }
}
