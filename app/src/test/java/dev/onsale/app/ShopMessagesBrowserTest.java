package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * What a buyer reads in the shop, at checkout and in the waiting room, at 360 and 1280 px: tickets in
 * other buyers' baskets told apart from sold out, kept on screen, Reserve disabled until tickets come
 * back; the checkout's lines, total, the event's local date with its zone and the venue; the queue
 * page's explained numbers, a paused progress bar at its true value and the time of its last update.
 * Screenshots go to {@code target/screenshots/}.
 */
@DisplayName("What the buyer reads, in a browser")
class ShopMessagesBrowserTest {

  private static final List<Integer> WIDTHS = List.of(360, 1280);
  private static final String ZONE = "Europe/Berlin";
  private static final String IN_BASKETS = "All tickets are in baskets right now; some may come back";

  private RunningApp app;
  private TestHttp http;
  private Browser browser;
  private String base;

  @BeforeEach
  void start() {
    app = RunningApp.start(TestEnv.freshConfig(Map.of("ONSALE_ROLES", "web", "ONSALE_HTTP_INSTANCES", "1")));
    base = "http://127.0.0.1:" + app.port();
    http = app.http;
    app.add(() -> PublishedEvents.deleteAll(app.services().redis(), app.services().keys()));
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("says 'all in baskets' apart from 'sold out', keeps it and disables Reserve until a released hold brings tickets back; checkout shows lines, total, local date with zone and venue")
  void shopTellsTheTruth() {
    browser = app.add(Browser.open());
    for (int width : WIDTHS) {
      JsonObject event = createEvent("basket-night-" + width, 2, 1);
      long standing = categoryId(event, 0);
      long seated = categoryId(event, 1);
      reserve(event, standing, 2);

      emulate(width);
      browser.driver.get(base + "/e/" + event.getString("slug"));
      browser.waiting(20).until(d -> d.findElement(By.id("shop-view")).isDisplayed()
          && d.findElements(By.cssSelector("#qty-" + seated + " option")).size() == 2);
      assertThat(reserveEnabled()).as("Reserve while a ticket is free").isTrue();
      assertThat(browser.text("#qty-" + standing + "-meta")).contains("all in baskets");
      new Select(browser.driver.findElement(By.id("qty-" + seated))).selectByValue("1");

      // Another buyer takes the last free ticket just before this buyer presses Reserve.
      int polls = polls();
      browser.waiting(10).until(d -> polls() > polls);
      JsonObject quicker = reserve(event, seated, 1);
      browser.driver.executeScript("document.getElementById('reserve-form').requestSubmit();");
      browser.waiting(10).until(d -> browser.text("#shop-status").contains(IN_BASKETS));
      assertThat(browser.text("#shop-status")).contains("went to other buyers").doesNotContain("Sold out");
      assertThat(reserveEnabled()).as("Reserve with every ticket in a basket").isFalse();
      assertThat(browser.text("#qty-" + seated + "-meta")).contains("all in baskets");
      assertFits("the shop, all in baskets", width);
      browser.fullScreenshot("shop-in-baskets-" + width, width);

      // Two more reads of the availability later, the message and the disabled button are still there.
      int seen = polls();
      browser.waiting(20).until(d -> polls() >= seen + 2);
      assertThat(browser.text("#shop-status")).contains(IN_BASKETS);
      assertThat(reserveEnabled()).isFalse();

      // The quicker buyer lets go: Reserve comes back by itself, and the page says why.
      TestHttp.Answer released = http.delete(Holds.releasePath(quicker), Map.of());
      assertThat(released.status()).as(released.raw().toString()).isEqualTo(200);
      browser.waiting(20).until(d -> reserveEnabled());
      assertThat(browser.text("#shop-status")).contains("free again");
      assertThat(browser.text("#qty-" + seated + "-meta")).contains("1 left");
      browser.screenshot("shop-free-again-" + width);

      // Checkout: the line at its price, the total, the event's date in Berlin with its zone, the venue.
      new Select(browser.driver.findElement(By.id("qty-" + seated))).selectByValue("1");
      browser.driver.findElement(By.id("reserve-button")).click();
      browser.waiting(15).until(d -> d.findElement(By.id("checkout-view")).isDisplayed());
      assertThat(browser.text("#held-summary")).contains("1 × Seated at").contains("79.00");
      assertThat(browser.text("#held-total")).contains("79.00");
      String startsAt = event.getString("startsAt");
      ZonedDateTime local = Instant.parse(startsAt).atZone(ZoneId.of(ZONE));
      // The browser's locale picks a 24- or 12-hour clock.
      String clock24 = DateTimeFormatter.ofPattern("HH:mm").format(local);
      String clock12 = DateTimeFormatter.ofPattern("hh:mm a", Locale.US).format(local);
      assertThat(browser.text("#held-event-when")).containsAnyOf(clock24, clock12)
          .contains(String.valueOf(local.getDayOfMonth())).contains(ZONE)
          .containsAnyOf("CET", "CEST", "GMT+1", "GMT+2");
      assertThat(browser.text("#held-event")).contains("Grosse Halle am Ostbahnhof, Berlin").contains("Basket Night");
      assertFits("the checkout", width);
      browser.fullScreenshot("checkout-" + width, width);
    }
    assertNoScriptErrors();
  }

  @Test
  @DisplayName("says 'sold out' when every ticket is sold, keeps it, and offers no Reserve")
  void soldOut() {
    browser = app.add(Browser.open());
    for (int width : WIDTHS) {
      JsonObject event = createEvent("sold-night-" + width, 1, 1);
      for (int i = 0; i < 2; i++) {
        JsonObject hold = reserve(event, categoryId(event, i), 1);
        pay(http.post(Holds.orderPath(hold), new JsonObject()
            .put("buyer", new JsonObject().put("name", "Early Bird").put("email", "early@example.org")), Map.of()).json());
      }
      emulate(width);
      browser.driver.get(base + "/e/" + event.getString("slug"));
      browser.waiting(20).until(d -> browser.text("#shop-status").contains("Sold out"));
      assertThat(browser.text("#shop-status")).doesNotContain("baskets");
      assertThat(reserveEnabled()).isFalse();
      assertThat(browser.text("#qty-" + categoryId(event, 0) + "-meta")).contains("sold out");
      int seen = polls();
      browser.waiting(20).until(d -> polls() >= seen + 2);
      assertThat(browser.text("#shop-status")).contains("Sold out");
      assertThat(reserveEnabled()).isFalse();
      assertFits("the shop, sold out", width);
      browser.fullScreenshot("shop-sold-out-" + width, width);
    }
    assertNoScriptErrors();
  }

  @Test
  @DisplayName("the queue page explains number and place, shows a paused line at 0 % for a newcomer, and the time of its last update")
  void queuePageWhilePaused() {
    RedisKeys keys = app.services().keys();
    browser = app.add(Browser.open());
    long eventId = 4301;
    for (int width : WIDTHS) {
      eventId++;
      Map<String, Object> meta = PublishedEvents.meta(eventId, "paused-night-" + width, -60_000, 1);
      meta.put("paused", "true");
      PublishedEvents.publish(app.services().redis(), keys, eventId, meta, 1_000);
      // 900 buyers came before, 800 of them were let in: a newcomer is 101st in a line that stands still.
      await(app.services().redis().send(Request.cmd(Command.SET).arg(keys.event(eventId).arrivals()).arg(900)));
      await(app.services().redis().send(Request.cmd(Command.SET).arg(keys.event(eventId).serving()).arg(800)));

      emulate(width);
      browser.driver.get(base + "/e/paused-night-" + width);
      browser.waiting(15).until(d -> browser.text("#number").replace(",", "").equals("901")
          && browser.text("#queue-message").contains("paused"));
      assertThat(browser.text("#position")).isEqualTo("101");
      assertThat(browser.driver.findElement(By.id("progress")).getAttribute("value")).isEqualTo("0");
      assertThat(browser.text("#progress-state")).isEqualToIgnoringCase("Paused");
      assertThat(browser.text(".stats")).contains("The order you arrived in").contains("Where you stand in line now");
      browser.waiting(10).until(d -> browser.text("#updated-time").matches("\\d{2}:\\d{2}:\\d{2}"));
      String first = browser.text("#updated-time");
      assertFits("the paused queue page", width);
      browser.fullScreenshot("queue-paused-" + width, width);

      // The page keeps reading the state: "last updated" moves on while the line stands still.
      browser.waiting(20).until(d -> !browser.text("#updated-time").equals(first));
      assertThat(browser.driver.findElement(By.id("progress")).getAttribute("value")).isEqualTo("0");

      // The organizer resumes and 50 are let in (one a minute after that): the bar moves from where this buyer joined.
      await(app.services().redis().send(Request.cmd(Command.HSET).arg(keys.event(eventId).meta()).arg("paused").arg("false")));
      await(app.services().redis().send(Request.cmd(Command.SET).arg(keys.event(eventId).serving()).arg(850)));
      browser.waiting(20).until(d -> browser.text("#position").equals("51")
          || Integer.parseInt(browser.driver.findElement(By.id("progress")).getAttribute("value")) > 0);
      int progress = Integer.parseInt(browser.driver.findElement(By.id("progress")).getAttribute("value"));
      assertThat(progress).as("50 of the 101 ahead let in since joining").isBetween(45, 55);
      assertThat(browser.driver.findElement(By.id("progress-state")).isDisplayed()).isFalse();
      browser.screenshot("queue-resumed-" + width);
    }
    assertNoScriptErrors();
  }

  private JsonObject createEvent(String slug, int standing, int seated) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject body = new JsonObject()
        .put("name", "Basket Night " + slug).put("slug", slug)
        .put("venue", "Grosse Halle am Ostbahnhof, Berlin")
        .put("timeZone", ZONE)
        .put("startsAt", now.plus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.DAYS).plus(19, ChronoUnit.HOURS).toString())
        .put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 600).put("maxActiveShoppers", 100)
        .put("maxTicketsPerOrder", 4).put("holdSeconds", 600).put("waitingRoom", "off")
        .put("categories", new JsonArray()
            .add(new JsonObject().put("name", "Standing").put("priceCents", 4500).put("currency", "EUR").put("capacity", standing))
            .add(new JsonObject().put("name", "Seated").put("priceCents", 7900).put("currency", "EUR").put("capacity", seated)));
    TestHttp.Answer created = http.post("/api/v1/admin/events", body,
        Map.of("Authorization", "Bearer " + app.services().config().adminToken()));
    assertThat(created.status()).as(created.raw().toString()).isEqualTo(201);
    return created.json().put("startsAt", body.getString("startsAt"));
  }

  private static long categoryId(JsonObject event, int index) {
    return event.getJsonArray("categories").getJsonObject(index).getLong("id");
  }

  /** Another buyer's hold, through the API (the waiting room is off). */
  private JsonObject reserve(JsonObject event, long categoryId, int quantity) {
    TestHttp.Answer held = http.post("/api/v1/events/" + event.getLong("id") + "/reservations", new JsonObject()
        .put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", quantity))), Map.of());
    assertThat(held.status()).as(held.raw().toString()).isEqualTo(201);
    return held.json();
  }

  /** Pays a pending order as the test provider's page would. */
  private void pay(JsonObject order) {
    assertThat(order.getString("status")).as(order.encode()).isEqualTo("pending");
    JsonObject payment = order.getJsonObject("payment");
    http.get(payment.getString("url"));
    TestHttp.Answer paid = http.post("/api/v1/payments/test/" + payment.getString("id") + "/succeed", new JsonObject(), Map.of());
    assertThat(paid.status()).as(paid.raw().toString()).isEqualTo(200);
  }

  private int polls() {
    Object count = browser.driver.executeScript("return document.body.getAttribute('data-availability-polls');");
    return count == null ? 0 : Integer.parseInt(count.toString());
  }

  private boolean reserveEnabled() {
    return browser.driver.findElement(By.id("reserve-button")).isEnabled();
  }

  private void emulate(int width) {
    browser.driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", 800, "deviceScaleFactor", 1, "mobile", width < 600));
  }

  private void assertFits(String page, int width) {
    List<?> sizes = (List<?>) browser.driver.executeScript("return [document.documentElement.scrollWidth, window.innerWidth];");
    assertThat(((Number) sizes.get(1)).intValue()).as("viewport of %s", page).isEqualTo(width);
    assertThat(((Number) sizes.get(0)).intValue()).as("%s scrolls sideways at %d px", page, width).isLessThanOrEqualTo(width);
  }

  private void assertNoScriptErrors() {
    List<LogEntry> errors = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .filter(entry -> !entry.getMessage().contains("status of 409")) // the refused reservation
        .toList();
    assertThat(errors).extracting(LogEntry::getMessage).isEmpty();
  }
}
