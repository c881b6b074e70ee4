package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

@DisplayName("The organizer and ops pages on a phone and on a desktop, in a browser")
class PagesOnPhonesBrowserTest {

  private static final List<Integer> WIDTHS = List.of(360, 1280);

  private OnsaleApp app;
  private Browser browser;
  private String base;

  @BeforeEach
  void start() {
    app = await(OnsaleApp.start(TestEnv.freshConfig(Map.of(
        "ONSALE_QUEUE_MONITOR_INTERVAL_MS", "300",
        "ONSALE_HTTP_INSTANCES", "1"))));
    base = "http://127.0.0.1:" + app.port();
    try (TestHttp http = new TestHttp(app.port())) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      JsonObject body = new JsonObject()
          .put("name", "A Rather Long Event Name For A Small Phone Screen").put("slug", "phone-night")
          .put("venue", "Grosse Halle am Ostbahnhof, Berlin")
          .put("startsAt", now.plus(10, ChronoUnit.DAYS).toString())
          .put("queueOpensAt", now.minusSeconds(60).toString())
          .put("saleStartsAt", now.plus(1, ChronoUnit.HOURS).toString())
          .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
          .put("admissionRatePerMinute", 600).put("maxActiveShoppers", 100)
          .put("maxTicketsPerOrder", 4).put("holdSeconds", 300).put("waitingRoom", "on")
          .put("categories", new JsonArray()
              .add(new JsonObject().put("name", "Standing").put("priceCents", 4500).put("currency", "EUR").put("capacity", 1000))
              .add(new JsonObject().put("name", "Seated").put("priceCents", 7900).put("currency", "EUR").put("capacity", 500)));
      TestHttp.Answer created = http.post("/api/v1/admin/events", body,
          Map.of("Authorization", "Bearer " + app.services().config().adminToken()));
      assertThat(created.status()).as(created.raw().toString()).isEqualTo(201);
    }
  }

  @AfterEach
  void stop() {
    if (browser != null) {
      browser.close();
    }
    await(app.stop());
  }

  @Test
  @DisplayName("fit the screen at 360 and 1280 px, label every input, say errors in words, and keep the login in a new tab")
  void fitLabelAndRemember() throws Exception {
    browser = Browser.open();
    // The mail queue keeps failing: /ops shows its alert with the reason.
    JobHealth health = new JobHealth(app.services().keys());
    for (int i = 0; i < 3; i++) {
      await(health.recordFailure(app.services().redis(), JobQueue.MAIL, i + "-0/1", System.currentTimeMillis()));
    }
    for (int width : WIDTHS) {
      emulate(width);
      browser.driver.get(base + "/admin");
      if (width == WIDTHS.get(0)) {
        logIn();
      }
      browser.waiting(10).until(d -> d.findElement(By.id("create-form")).isDisplayed());
      browser.waiting(10).until(d -> browser.text("#event-list tbody").contains("A Rather Long Event Name"));
      assertFits("/admin", width);
      assertEveryInputLabelled();
      browser.fullScreenshot("admin-" + width, width);

      // A refused schedule is said in the form's words, not the API's field names.
      browser.driver.findElement(By.id("c-name")).sendKeys("Backwards " + width);
      browser.driver.findElement(By.id("c-venue")).sendKeys("Somewhere");
      browser.driver.executeScript("document.getElementById('c-saleEndsAt').value = document.getElementById('c-queueOpensAt').value;");
      browser.driver.findElement(By.id("c-submit")).click();
      browser.waiting(10).until(d -> !browser.text("#create-result").isEmpty());
      String refused = browser.text("#create-result");
      assertThat(refused).isEqualTo("Sale end must be after sale start.");
      assertThat(browser.driver.findElement(By.id("c-saleEndsAt")).getAttribute("aria-invalid")).isEqualTo("true");
      assertFits("/admin with an error", width);
      browser.screenshot("admin-error-" + width);

      // The selected event's sales and schedule fit too, every input labelled.
      browser.driver.findElement(By.cssSelector("#event-list tbody tr")).click();
      browser.waiting(10).until(d -> d.findElement(By.id("patch-form")).isDisplayed());
      browser.waiting(10).until(d -> browser.text("#st-available").contains("1,500"));
      assertFits("/admin with an event selected", width);
      assertEveryInputLabelled();
      browser.fullScreenshot("admin-selected-" + width, width);

      // A new tab is still logged in; /ops fits too and shows the failing mail queue.
      browser.driver.switchTo().newWindow(WindowType.TAB);
      emulate(width);
      browser.driver.get(base + "/ops");
      browser.waiting(15).until(d -> browser.text("#queues tr[data-queue='mail']").contains("failing"));
      assertThat(browser.driver.findElement(By.id("login")).isDisplayed()).isFalse();
      browser.waiting(15).until(d -> browser.text("#events").contains("A Rather Long Event Name"));
      assertFits("/ops", width);
      assertThat(browser.text("#queues tr[data-queue='mail']")).contains("ALERT");
      browser.fullScreenshot("ops-" + width, width);
      browser.driver.close();
      browser.driver.switchTo().window(browser.driver.getWindowHandles().iterator().next());
    }

    // Logging out forgets the token in every tab.
    browser.driver.findElement(By.id("logout")).click();
    browser.waiting(10).until(d -> d.findElement(By.id("token")).isDisplayed());
    browser.driver.get(base + "/ops");
    browser.waiting(10).until(d -> d.findElement(By.id("token")).isDisplayed());
    List<LogEntry> errors = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .filter(entry -> !entry.getMessage().contains("the server responded with a status of 400")) // the refused schedule
        .toList();
    assertThat(errors).as("no script errors, pattern errors or CSP violations in the console").isEmpty();
  }

  private void logIn() {
    WebElement token = browser.waiting(10).until(d -> d.findElement(By.id("token")).isDisplayed() ? d.findElement(By.id("token")) : null);
    assertThat(labelOf("token")).isEqualTo("Organizer token");
    token.sendKeys(app.services().config().adminToken());
    browser.driver.findElement(By.cssSelector("#login-form button")).click();
  }

  private void emulate(int width) {
    browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", width < 600));
  }

  private void assertFits(String page, int width) {
    Object sizes = browser.driver.executeScript(
        "return [document.documentElement.scrollWidth, window.innerWidth];");
    List<?> both = (List<?>) sizes;
    long scrollWidth = ((Number) both.get(0)).longValue();
    long innerWidth = ((Number) both.get(1)).longValue();
    assertThat(innerWidth).as("viewport of %s", page).isEqualTo(width);
    assertThat(scrollWidth).as("%s scrolls sideways at %d px", page, width).isLessThanOrEqualTo(innerWidth);
    Object scrollingTables = browser.driver.executeScript("""
        return Array.from(document.querySelectorAll('.table-wrap'))
          .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth)
          .map(el => (el.querySelector('table').id || 'a table') + ' ' + el.scrollWidth + '/' + el.clientWidth + ' px, columns '
            + Array.from(el.querySelectorAll('thead th')).map(th => th.offsetWidth).join(','));""");
    assertThat((List<?>) scrollingTables).as("tables of %s that scroll sideways at %d px", page, width).isEmpty();
  }

  /** Every visible input and select has a label a screen reader would read. */
  private void assertEveryInputLabelled() {
    Object unlabelled = browser.driver.executeScript("""
        return Array.from(document.querySelectorAll('input, select'))
          .filter(el => el.offsetParent !== null)
          .filter(el => !(el.labels && el.labels.length && el.labels[0].textContent.trim()))
          .map(el => el.id || el.className);""");
    assertThat((List<?>) unlabelled).as("inputs without a label").isEmpty();
  }

  private String labelOf(String id) {
    Object text = browser.driver.executeScript(
        "var el = document.getElementById(arguments[0]); return el.labels.length ? el.labels[0].textContent.trim() : null;", id);
    return text == null ? null : text.toString();
  }
}
