package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.JobHealth;
import dev.onsale.common.JobQueue;
import dev.onsale.common.LocalTimes;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.openqa.selenium.support.ui.Select;

@DisplayName("The organizer and ops pages on a phone and on a desktop, in a browser")
class PagesOnPhonesBrowserTest {

  private static final List<Integer> WIDTHS = List.of(360, 1280);

  private RunningApp app;
  private Browser browser;
  private String base;

  @BeforeEach
  void start() {
    app = RunningApp.start(TestEnv.freshConfig(Map.of(
        "ONSALE_QUEUE_MONITOR_INTERVAL_MS", "300",
        "ONSALE_HTTP_INSTANCES", "1")));
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
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("fit the screen at 360 and 1280 px, label every input, say errors in words, and keep the login in a new tab")
  void fitLabelAndRemember() throws Exception {
    browser = app.add(Browser.open());
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

  @Test
  @DisplayName("take and show an event's times in its own zone at 360 and 1280 px, and refuse a time the clocks skip or pass twice, naming both instants")
  void timesInTheEventsZone() throws Exception {
    browser = app.add(Browser.open());
    for (int width : WIDTHS) {
      emulate(width);
      browser.driver.get(base + "/admin");
      if (width == WIDTHS.get(0)) {
        logIn();
      }
      browser.waiting(10).until(d -> d.findElement(By.id("create-form")).isDisplayed());
      browser.waiting(10).until(d -> browser.text("#event-list tbody").contains("A Rather Long Event Name"));
      // The event made over the API has the default zone, UTC, and says so.
      assertThat(browser.text("#event-list tbody")).contains("UTC");

      new Select(browser.driver.findElement(By.id("c-timeZone"))).selectByValue("Europe/Berlin");
      assertThat(labelOf("c-saleStartsAt")).isEqualTo("Sale starts (Europe/Berlin)");
      browser.driver.findElement(By.id("c-name")).sendKeys("Berlin Night " + width);
      browser.driver.findElement(By.id("c-venue")).sendKeys("Tempodrom, Berlin");
      setTimes("c", "2027-08-01 20:00", "2027-03-20 18:30", "2027-03-28 02:30", "2027-07-01 12:00");
      long events = adminEvents().size();

      // 02:30 on 28 Mar 2027 does not exist in Berlin: refused before anything is sent.
      browser.driver.findElement(By.id("c-submit")).click();
      browser.waiting(10).until(d -> !browser.text("#create-result").isEmpty());
      assertThat(browser.text("#create-result")).isEqualTo("Sale starts: 02:30 does not exist on 28 Mar 2027 in Europe/Berlin, "
          + "where the clocks jump from 01:59:59 CET = 00:59:59 UTC to 03:00 CEST = 01:00 UTC: pick a time before 02:00 or from 03:00 on.");
      assertThat(browser.driver.findElement(By.id("c-saleStartsAt")).getAttribute("aria-invalid")).isEqualTo("true");
      assertFits("/admin refusing a time in the spring gap", width);
      browser.screenshot("admin-tz-gap-" + width);

      // 02:30 on 31 Oct 2027 happens twice.
      setTimes("c", null, null, "2027-03-20 20:00", "2027-10-31 02:30");
      browser.driver.findElement(By.id("c-submit")).click();
      browser.waiting(10).until(d -> browser.text("#create-result").startsWith("Sale ends"));
      assertThat(browser.text("#create-result")).isEqualTo("Sale ends: 02:30 happens twice on 31 Oct 2027 in Europe/Berlin "
          + "(02:30 CEST = 00:30 UTC and 02:30 CET = 01:30 UTC): pick a time before 02:00 or from 03:00 on.");
      assertThat(browser.driver.findElement(By.id("c-saleEndsAt")).getAttribute("aria-invalid")).isEqualTo("true");
      assertFits("/admin refusing a time in the autumn overlap", width);
      browser.screenshot("admin-tz-overlap-" + width);
      assertThat(adminEvents().size()).as("nothing created").isEqualTo(events);

      // Local times that exist once: stored as the instants they name in Berlin (winter +1, summer +2).
      setTimes("c", null, null, null, "2027-07-01 12:00");
      browser.driver.findElement(By.id("c-submit")).click();
      browser.waiting(10).until(d -> browser.text("#create-result").contains("Created"));
      JsonObject created = adminEvents().stream().map(JsonObject.class::cast)
          .filter(e -> e.getString("name").equals("Berlin Night " + width)).findFirst().orElseThrow();
      assertThat(created.getString("timeZone")).isEqualTo("Europe/Berlin");
      assertThat(created.getString("queueOpensAt")).isEqualTo("2027-03-20T17:30:00Z");
      assertThat(created.getString("saleStartsAt")).isEqualTo("2027-03-20T19:00:00Z");
      assertThat(created.getString("saleEndsAt")).isEqualTo("2027-07-01T10:00:00Z");
      assertThat(created.getString("startsAt")).isEqualTo("2027-08-01T18:00:00Z");

      // Shown back in Berlin time, the zone named, on a 24-hour clock.
      String row = "#event-list tbody tr[data-event-id='" + created.getLong("id") + "']";
      browser.waiting(10).until(d -> browser.text(row).contains("Sat 20 Mar 2027, 20:00 CET"));
      assertThat(browser.text(row)).contains("Tempodrom, Berlin · Europe/Berlin");
      if (width > 600) {
        assertThat(browser.text(row)).contains("Sat 20 Mar 2027, 18:30 CET"); // the queue column is hidden on phones
      }
      browser.waiting(10).until(d -> browser.text("#sel-name").equals("Berlin Night " + width));
      assertThat(browser.text("#sel-when")).isEqualTo("Event starts Sun 1 Aug 2027, 20:00 CEST (Europe/Berlin) · queue opens "
          + "Sat 20 Mar 2027, 18:30 CET · sale Sat 20 Mar 2027, 20:00 CET to Thu 1 Jul 2027, 12:00 CEST");
      assertThat(new Select(browser.driver.findElement(By.id("p-timeZone"))).getFirstSelectedOption().getAttribute("value"))
          .isEqualTo("Europe/Berlin");
      assertThat(labelOf("p-saleEndsAt")).isEqualTo("Sale ends (Europe/Berlin)");
      assertThat(browser.driver.findElement(By.id("p-saleStartsAt")).getAttribute("value")).isEqualTo("2027-03-20 20:00");
      assertThat(browser.driver.findElement(By.id("p-saleEndsAt")).getAttribute("value")).isEqualTo("2027-07-01 12:00");
      assertFits("/admin with a Berlin event", width);
      assertEveryInputLabelled();
      browser.fullScreenshot("admin-tz-created-" + width, width);

      // Rescheduling is in the event's zone too: the overlap refused, the hour after it taken.
      setTimes("p", null, null, null, "2027-10-31 02:30");
      browser.driver.findElement(By.id("p-save")).click();
      browser.waiting(10).until(d -> browser.text("#patch-result").startsWith("Sale ends"));
      assertThat(browser.text("#patch-result")).contains("02:30 happens twice on 31 Oct 2027 in Europe/Berlin",
          "02:30 CEST = 00:30 UTC and 02:30 CET = 01:30 UTC");
      assertFits("/admin refusing a new sale end", width);
      browser.screenshot("admin-tz-patch-overlap-" + width);
      setTimes("p", null, null, null, "2027-10-31 03:30");
      browser.driver.findElement(By.id("p-save")).click();
      browser.waiting(10).until(d -> browser.text("#patch-result").equals("Saved."));
      browser.waiting(10).until(d -> browser.text("#sel-when").endsWith("to Sun 31 Oct 2027, 03:30 CET"));
      assertThat(adminEvents().stream().map(JsonObject.class::cast).filter(e -> e.getLong("id").equals(created.getLong("id")))
          .findFirst().orElseThrow().getString("saleEndsAt")).isEqualTo("2027-10-31T02:30:00Z");
    }
    List<LogEntry> errors = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
        .toList();
    assertThat(errors).as("no script errors, and no refused request: the page refused the times itself").isEmpty();
  }

  @Test
  @DisplayName("the page's daylight-saving rule is the server's: the same instants and the same words around every change of 2027, north and south")
  void pageRuleIsTheServersRule() {
    browser = app.add(Browser.open());
    browser.driver.get(base + "/admin");
    browser.waiting(10).until(d -> d.findElement(By.id("token")).isDisplayed());
    List<String> zones = List.of("Europe/Berlin", "Australia/Sydney", "America/New_York", "America/Santiago",
        "Australia/Lord_Howe", "Europe/London", "UTC");
    DateTimeFormatter input = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    List<String[]> cases = new ArrayList<>();
    for (String name : zones) {
      ZoneId zone = ZoneId.of(name);
      Instant from = Instant.parse("2027-01-01T00:00:00Z");
      cases.add(new String[] {name, "2027-06-15 12:00:00"});
      for (ZoneOffsetTransition t = zone.getRules().nextTransition(from); t != null && t.getInstant().isBefore(Instant.parse("2028-01-01T00:00:00Z"));
           t = zone.getRules().nextTransition(t.getInstant())) {
        for (int minutes : new int[] {-61, -60, -31, -1, 0, 1, 29, 30, 59, 60, 61}) {
          cases.add(new String[] {name, input.format(t.getDateTimeBefore().plusMinutes(minutes))});
          cases.add(new String[] {name, input.format(t.getDateTimeAfter().plusMinutes(minutes))});
        }
      }
    }
    List<?> answers = (List<?>) browser.driver.executeScript("""
        return arguments[0].map(c => { var r = OnsaleTime.resolve(c[1], c[0]); return r.error ? 'error ' + r.error : 'ok ' + r.ms; });""",
        cases.stream().map(Arrays::asList).toList());
    assertThat(cases).hasSizeGreaterThan(100);
    for (int i = 0; i < cases.size(); i++) {
      String[] c = cases.get(i);
      String expected;
      try {
        expected = "ok " + LocalTimes.resolve(LocalDateTime.parse(c[1].replace(' ', 'T')), ZoneId.of(c[0])).toEpochMilli();
      } catch (DateTimeException e) {
        expected = "error " + e.getMessage();
      }
      // Zone abbreviations come from each side's own data (Java: AEDT; Chromium: GMT+11): compared without them.
      assertThat(withoutAbbreviations(answers.get(i).toString())).as("%s in %s", c[1], c[0]).isEqualTo(withoutAbbreviations(expected));
    }
  }

  private static String withoutAbbreviations(String message) {
    return message.replaceAll("(\\d\\d:\\d\\d(?::\\d\\d)?) [^ =]+ = ", "$1 = ");
  }

  /** Types the start, queue opening, sale start and sale end of form {@code prefix} (null: leave as is). */
  private void setTimes(String prefix, String startsAt, String queueOpensAt, String saleStartsAt, String saleEndsAt) {
    String[] fields = {"startsAt", "queueOpensAt", "saleStartsAt", "saleEndsAt"};
    String[] values = {startsAt, queueOpensAt, saleStartsAt, saleEndsAt};
    for (int i = 0; i < fields.length; i++) {
      WebElement input = browser.driver.findElements(By.id(prefix + "-" + fields[i])).stream().findFirst().orElse(null);
      if (values[i] != null && input != null) {
        input.clear();
        input.sendKeys(values[i]);
      }
    }
  }

  private JsonArray adminEvents() {
    try (TestHttp http = new TestHttp(app.port())) {
      return http.get("/api/v1/admin/events", Map.of("Authorization", "Bearer " + app.services().config().adminToken()))
          .json().getJsonArray("events");
    }
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
