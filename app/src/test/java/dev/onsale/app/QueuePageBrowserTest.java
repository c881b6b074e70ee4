package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

@DisplayName("The queue page in headless Chromium")
class QueuePageBrowserTest {

  private RunningApp app;
  private Browser browser;
  private RedisKeys keys;

  @BeforeEach
  void start() {
    app = RunningApp.start(TestEnv.freshConfig(Map.of("ONSALE_ROLES", "web")));
    keys = app.services().keys();
    app.add(() -> PublishedEvents.deleteAll(app.services().redis(), keys));
  }

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  @DisplayName("follows the public state: its place, people ahead and a wait range from its own number; asks its own status only when its turn may have come")
  void followsPublicState() throws Exception {
    long eventId = 4101;
    PublishedEvents.publish(app.services().redis(), keys, eventId,
        PublishedEvents.meta(eventId, "public-state-night", 6_000, 600), 1_000);
    // 150 buyers are already in line: this page's buyer is number 151.
    await(app.services().redis().send(Request.cmd(Command.SET).arg(keys.event(eventId).arrivals()).arg(150)));
    browser = app.add(Browser.open());
    String base = "http://127.0.0.1:" + app.port();
    browser.driver.get(base + "/e/public-state-night");
    browser.waiting(10).until(d -> browser.text("#number").equals("151"));
    browser.waiting(10).until(d -> browser.text("#queue-message").contains("pre-queue, number 151"));
    assertThat(browser.text("#ahead")).isEqualTo("150");
    assertThat(browser.text("#countdown-box")).contains("The sale starts in");
    browser.screenshot("queue-prequeue");

    // The sale starts: 10 a second are admitted; the place counts down, never up.
    browser.waiting(20).until(d -> browser.text("#queue-message").startsWith("Place "));
    List<Long> places = new ArrayList<>();
    String wait = "";
    long until = System.currentTimeMillis() + 6_000;
    while (System.currentTimeMillis() < until) {
      String place = browser.text("#position").replace(",", "");
      if (place.matches("[0-9]+")) {
        places.add(Long.parseLong(place));
      }
      if (browser.text("#eta").contains("min") || browser.text("#eta").contains("minute")) {
        wait = browser.text("#eta");
      }
      Thread.sleep(250);
    }
    browser.screenshot("queue-admitting");
    assertThat(places).isNotEmpty();
    for (int i = 1; i < places.size(); i++) {
      assertThat(places.get(i)).as("the place never goes back up").isLessThanOrEqualTo(places.get(i - 1));
    }
    assertThat(places.get(places.size() - 1)).isLessThan(151);
    assertThat(wait).as("an estimated wait is shown").isNotBlank();
    // Both read in one script: two separate reads can straddle a repaint (a CI run read 80 ahead, then place 71).
    browser.waiting(5).until(d -> placeIsOneMoreThanAhead(browser));
    assertThat(statusCalls()).as("no personal status call while far from the front").isZero();
    assertThat(stateCalls()).as("the public state is what the page polls").isGreaterThanOrEqualTo(2);

    // Its turn comes: one personal status call takes the admission token and the shop opens.
    browser.waiting(40).until(d -> d.findElement(By.id("shop-view")).isDisplayed());
    browser.screenshot("queue-admitted");
    assertThat(statusCalls()).as("personal status calls").isBetween(1L, 3L);
  }

  private static boolean placeIsOneMoreThanAhead(Browser browser) {
    Object both = browser.driver.executeScript("return [document.getElementById('ahead').innerText,"
        + " document.getElementById('position').innerText].join('|')");
    String[] parts = String.valueOf(both).replace(",", "").split("\\|");
    return parts.length == 2 && parts[0].matches("[0-9]+") && parts[1].matches("[0-9]+")
        && Long.parseLong(parts[0]) + 1 == Long.parseLong(parts[1]);
  }

  @Test
  @DisplayName("solves a proof-of-work challenge in a Web Worker, showing its progress, then joins")
  void solvesProofOfWork() throws Exception {
    long eventId = 4102;
    Map<String, Object> meta = PublishedEvents.meta(eventId, "pow-page-night", 600_000, 600);
    meta.put("joinChallenge", "pow");
    meta.put("powDifficulty", 16);
    PublishedEvents.publish(app.services().redis(), keys, eventId, meta, 1_000);
    browser = app.add(Browser.open());
    browser.driver.get("http://127.0.0.1:" + app.port() + "/e/pow-page-night");
    browser.waiting(30).until(d -> !browser.text("#pow-tries").isEmpty());
    browser.screenshot("queue-pow");
    browser.waiting(60).until(d -> browser.text("#number").equals("1"));
    assertThat(browser.driver.executeScript("return document.getElementById('pow-tries').textContent"))
        .asString().startsWith("Done after");
    assertThat(browser.driver.findElement(By.id("pow-box")).isDisplayed()).as("the puzzle box goes once joined").isFalse();
    Object tries = browser.driver.executeScript("return document.body.getAttribute('data-pow-tries')");
    assertThat(Long.parseLong(String.valueOf(tries))).isPositive();
    browser.screenshot("queue-pow-joined");
    assertThat(await(app.services().redis().send(Request.cmd(Command.BITCOUNT).arg(keys.event(eventId).powUsed())))
        .toLong()).isEqualTo(1);
  }

  @Test
  @DisplayName("in a random pre-queue, learns its drawn place from the public placement page after the sale starts")
  void learnsDrawnPlace() throws Exception {
    long eventId = 4103;
    Map<String, Object> meta = PublishedEvents.meta(eventId, "draw-page-night", 6_000, 1);
    meta.put("preQueue", "random");
    PublishedEvents.publish(app.services().redis(), keys, eventId, meta, 1_000);
    // 1,499 buyers joined before: this page's buyer is number 1,500, on placement page 1.
    await(app.services().redis().send(Request.cmd(Command.SET).arg(keys.event(eventId).arrivals()).arg(1_499)));
    browser = app.add(Browser.open());
    String base = "http://127.0.0.1:" + app.port();
    browser.driver.get(base + "/e/draw-page-night");
    browser.waiting(10).until(d -> browser.text("#number").equals("1,500") || browser.text("#number").equals("1500"));
    browser.waiting(10).until(d -> browser.text("#queue-message").contains("random place"));
    assertThat(browser.text("#position")).isEqualTo("–");
    browser.screenshot("queue-random-prequeue");

    browser.waiting(30).until(d -> browser.text("#queue-message").startsWith("Place "));
    browser.screenshot("queue-random-placed");
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    io.vertx.core.json.JsonObject page = new io.vertx.core.json.JsonObject(http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(base + "/api/v1/events/" + eventId + "/queue/placement/1")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
    long position = page.getJsonArray("places").getLong(499);
    assertThat(page.getLong("preQueueSize")).isEqualTo(1_500);
    long serving = new io.vertx.core.json.JsonObject(http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(base + "/api/v1/events/" + eventId + "/queue/state")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body()).getLong("serving");
    long shown = Long.parseLong(browser.text("#position").replace(",", ""));
    // One a minute are admitted: serving is 0 or 1 here, and the page may be a poll behind.
    assertThat(shown).isBetween(position - serving - 1, position);
    assertThat(resourceCount("/queue/placement/1")).as("one placement request").isEqualTo(1);
    if (position > 2) {
      assertThat(statusCalls()).as("no personal status call far from the front").isZero();
    }
  }

  private long statusCalls() {
    return resourceCount("/queue/status");
  }

  private long stateCalls() {
    return resourceCount("/queue/state");
  }

  private long resourceCount(String path) {
    Object count = browser.driver.executeScript("return performance.getEntriesByType('resource')"
        + ".filter(function (e) { return e.name.indexOf(arguments[0]) >= 0; }).length;".replace("arguments[0]", "'" + path + "'"));
    return ((Number) count).longValue();
  }
}
