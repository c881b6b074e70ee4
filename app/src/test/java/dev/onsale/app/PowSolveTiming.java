package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A measurement, not a test (it asserts nothing and is skipped unless asked for): how long the
 * queue page takes to solve a default-difficulty join challenge in headless Chromium with the CPU
 * throttled 1x, 4x and 6x (DevTools {@code Emulation.setCPUThrottlingRate}). Run with
 * {@code -Donsale.measure=pow} (and {@code -Donsale.measure.runs=N}); figures go to docs/PERFORMANCE.md.
 *
 * <p>Two ways: the page itself (its Web Worker; Chromium's CPU throttling turned out not to reach
 * dedicated workers, see the printed tries per second), and the worker's own solver run on a
 * throttled main thread (which the throttling does slow), each solution checked by joining with it.
 */
@DisplayName("Proof-of-work solve time in headless Chromium (measurement)")
class PowSolveTiming {

  @Test
  @DisplayName("prints the median and 95th percentile of the page's solve time per CPU throttling rate")
  void measure() throws Exception {
    assumeTrue("pow".equals(System.getProperty("onsale.measure")), "a measurement: run with -Donsale.measure=pow");
    int runs = Integer.getInteger("onsale.measure.runs", 20);
    OnsaleApp app = await(OnsaleApp.start(TestEnv.freshConfig(Map.of("ONSALE_ROLES", "web"))));
    RedisKeys keys = app.services().keys();
    try (Browser browser = Browser.open()) {
      long eventId = 4201;
      Map<String, Object> meta = PublishedEvents.meta(eventId, "pow-timing-night", 3_600_000, 600);
      meta.put("joinChallenge", "pow");
      // Without -Donsale.measure.difficulty the event takes the waiting room's default.
      String difficulty = System.getProperty("onsale.measure.difficulty");
      if (difficulty != null) {
        meta.put("powDifficulty", Integer.parseInt(difficulty));
      }
      PublishedEvents.publish(app.services().redis(), keys, eventId, meta, 1_000);
      String page = "http://127.0.0.1:" + app.port() + "/e/pow-timing-night";
      String challengeUrl = "http://127.0.0.1:" + app.port() + "/api/v1/events/" + eventId + "/queue/challenge";
      System.out.println("POW measuring " + java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(challengeUrl)).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body());
      for (int rate : new int[] {1, 4, 6}) {
        List<Long> millis = new ArrayList<>();
        long tries = 0;
        for (int i = 0; i < runs; i++) {
          browser.driver.manage().deleteAllCookies();
          browser.driver.get("about:blank");
          browser.driver.executeCdpCommand("Emulation.setCPUThrottlingRate", Map.of("rate", rate));
          browser.driver.get(page);
          browser.waiting(120).until(d -> browser.driver.executeScript(
              "return document.body && document.body.getAttribute('data-pow-ms')") != null);
          millis.add(Long.parseLong(String.valueOf(browser.driver.executeScript(
              "return document.body.getAttribute('data-pow-ms')"))));
          tries += Long.parseLong(String.valueOf(browser.driver.executeScript(
              "return document.body.getAttribute('data-pow-tries')")));
        }
        long totalMs = millis.stream().mapToLong(Long::longValue).sum();
        Collections.sort(millis);
        System.out.printf("POW page (Web Worker), CPU throttling %dx, %d solves: median %d ms, p95 %d ms, max %d ms, "
                + "%.0f tries/s, mean tries %d%n",
            rate, runs, millis.get(runs / 2), millis.get((int) Math.ceil(runs * 0.95) - 1), millis.get(runs - 1),
            tries * 1000.0 / totalMs, tries / runs);
      }
      mainThread(browser, app, eventId, runs);
    } finally {
      PublishedEvents.deleteAll(app.services().redis(), keys);
      await(app.stop());
    }
  }

  /** The page's solver, unchanged, on the throttled main thread of a blank page. */
  private static void mainThread(Browser browser, OnsaleApp app, long eventId, int runs) throws Exception {
    String solver = new String(PowSolveTiming.class.getResourceAsStream("/waitingroom-assets/pow-worker.js")
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    String script = "var solve = (function (postMessage, self) {\n" + solver + "\nreturn solve; })(function () {}, {});\n"
        + "var started = performance.now(); var r = solve(arguments[0], arguments[1]);\n"
        + "return [r.nonce, String(r.tries), String(Math.round(performance.now() - started))];";
    browser.driver.manage().timeouts().scriptTimeout(java.time.Duration.ofSeconds(300));
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String api = "http://127.0.0.1:" + app.port() + "/api/v1/events/" + eventId + "/queue";
    for (int rate : new int[] {1, 4, 6}) {
      browser.driver.get("about:blank");
      browser.driver.executeCdpCommand("Emulation.setCPUThrottlingRate", Map.of("rate", rate));
      List<Long> millis = new ArrayList<>();
      long tries = 0;
      for (int i = 0; i < runs; i++) {
        io.vertx.core.json.JsonObject challenge = new io.vertx.core.json.JsonObject(http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/challenge")).GET().build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        @SuppressWarnings("unchecked")
        List<Object> result = (List<Object>) browser.driver.executeScript(script, challenge.getString("challenge"),
            challenge.getInteger("difficulty"));
        millis.add(Long.parseLong(String.valueOf(result.get(2))));
        tries += Long.parseLong(String.valueOf(result.get(1)));
        int joined = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(new io.vertx.core.json.JsonObject()
                    .put("challenge", challenge.getString("challenge")).put("nonce", String.valueOf(result.get(0))).encode()))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
        if (joined != 201) {
          throw new AssertionError("the solution did not join: " + joined);
        }
      }
      long totalMs = millis.stream().mapToLong(Long::longValue).sum();
      Collections.sort(millis);
      System.out.printf("POW main thread, CPU throttling %dx, %d solves: median %d ms, p95 %d ms, "
              + "max %d ms, %.0f tries/s, mean tries %d%n",
          rate, runs, millis.get(runs / 2), millis.get((int) Math.ceil(runs * 0.95) - 1), millis.get(runs - 1),
          tries * 1000.0 / totalMs, tries / runs);
    }
  }
}
