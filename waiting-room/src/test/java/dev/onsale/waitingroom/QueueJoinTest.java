package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Joining the queue")
class QueueJoinTest {

  private static OnsaleConfig config;
  private static TestRedis redis;
  private static WaitingRoomInstance room;

  @BeforeAll
  static void start() {
    config = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "1000"));
    redis = new TestRedis(config);
    room = WaitingRoomInstance.start(config).checkedAgainstTheDocument();
  }

  @AfterAll
  static void stop() {
    room.close();
    redis.close();
  }

  @Test
  @DisplayName("a buyer gets the next arrival number and a signed token, and joining again with it keeps the number")
  void rejoinKeepsNumber() {
    redis.publishEvent(101, TestRedis.event(101, "rejoin-night", 60_000, 600, 100));
    HttpResponse<String> first = room.join(101);
    HttpResponse<String> second = room.join(101);
    assertThat(first.statusCode()).isEqualTo(201);
    JsonObject a = new JsonObject(first.body());
    JsonObject b = new JsonObject(second.body());
    assertThat(a.getLong("number")).isEqualTo(1);
    assertThat(b.getLong("number")).isEqualTo(2);
    assertThat(a.getString("state")).isEqualTo("prequeue");

    HttpResponse<String> again = room.joinWithToken(101, a.getString("queueToken"));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(again.body()).getLong("number")).isEqualTo(1);
    assertThat(redis.number("GET", redis.keys.event(101).arrivals())).isEqualTo(2);
  }

  @Test
  @DisplayName("a refresh and a second tab (same cookies) keep the same number; the cookie is HttpOnly and SameSite=Strict")
  void cookieKeepsNumberAcrossTabs() {
    redis.publishEvent(102, TestRedis.event(102, "tabs-night", 60_000, 600, 100));
    HttpClient browser = WaitingRoomInstance.browser();
    HttpRequest.Builder join = HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/102/queue")))
        .POST(HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> firstTab = WaitingRoomInstance.send(browser, join);
    String cookie = firstTab.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).startsWith("onsale_queue_102=").containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/");

    HttpResponse<String> refresh = WaitingRoomInstance.send(browser, join);
    HttpResponse<String> secondTab = WaitingRoomInstance.send(browser, join);
    long number = new JsonObject(firstTab.body()).getLong("number");
    assertThat(new JsonObject(refresh.body()).getLong("number")).isEqualTo(number);
    assertThat(new JsonObject(secondTab.body()).getLong("number")).isEqualTo(number);

    HttpResponse<String> status = WaitingRoomInstance.send(browser,
        HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/102/queue/status"))).GET());
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(status.body()).getLong("number")).isEqualTo(number);

    // Asking for a new place (after a turn ended) gives a new number at the back.
    HttpResponse<String> rejoin = WaitingRoomInstance.send(browser,
        HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/102/queue")))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"rejoin\":true}")));
    assertThat(new JsonObject(rejoin.body()).getLong("number")).isGreaterThan(number);
  }

  @Test
  @DisplayName("before the queue opens, joining is a 409 queue_not_open that says when it opens")
  void notOpenYet() {
    Map<String, Object> meta = TestRedis.event(103, "later-night", 600_000, 600, 100);
    long opensAt = System.currentTimeMillis() + 300_000;
    meta.put("queueOpensAt", opensAt);
    redis.publishEvent(103, meta);
    HttpResponse<String> response = room.join(103);
    assertThat(response.statusCode()).isEqualTo(409);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("error")).isEqualTo("queue_not_open");
    assertThat(body.getString("queueOpensAt")).isEqualTo(QueueStatus.iso(opensAt));
    assertThat(body.getString("message")).contains(QueueStatus.iso(opensAt));
  }

  @Test
  @DisplayName("an unknown event is a 404 JSON error, and its page a 404 page")
  void unknownEvent() {
    HttpResponse<String> response = room.join(999_999);
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("not_found");
    HttpResponse<String> page = room.send(HttpRequest.newBuilder(URI.create(room.url("/e/no-such-event"))).GET());
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.body()).contains("Event not found");
  }

  @Test
  @DisplayName("one address may take only so many numbers a minute; a rejoin with a token is not counted")
  void joinRateLimit() {
    OnsaleConfig limited = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "3"));
    try (TestRedis limitedRedis = new TestRedis(limited); WaitingRoomInstance limitedRoom = WaitingRoomInstance.start(limited).checkedAgainstTheDocument()) {
      awaitFreshMinute();
      limitedRedis.publishEvent(104, TestRedis.event(104, "busy-night", 60_000, 600, 100));
      String token = null;
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> ok = limitedRoom.join(104);
        assertThat(ok.statusCode()).isEqualTo(201);
        token = new JsonObject(ok.body()).getString("queueToken");
      }
      HttpResponse<String> refused = limitedRoom.join(104);
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("rate_limited");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(limitedRoom.joinWithToken(104, token).statusCode()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("a flood of joins from several addresses: every number handed out once, in order, each address held to its limit")
  void floodOfJoins() {
    OnsaleConfig limited = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "40", "ONSALE_TRUST_FORWARDED_FOR", "true"));
    try (TestRedis limitedRedis = new TestRedis(limited); WaitingRoomInstance limitedRoom = WaitingRoomInstance.start(limited).checkedAgainstTheDocument()) {
      awaitFreshMinute();
      limitedRedis.publishEvent(111, TestRedis.event(111, "flood-night", 60_000, 600, 100));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<String> addresses = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8");
      List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      List<String> from = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        for (String address : addresses) {
          from.add(address);
          sent.add(client.sendAsync(HttpRequest.newBuilder(URI.create(limitedRoom.url("/api/v1/events/111/queue")))
              .header("X-Forwarded-For", address).POST(HttpRequest.BodyPublishers.noBody())
              .timeout(java.time.Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
        }
      }
      Map<String, Integer> numbersPerAddress = new HashMap<>();
      List<Long> numbers = new ArrayList<>();
      int refused = 0;
      for (int i = 0; i < sent.size(); i++) {
        HttpResponse<String> response = sent.get(i).join();
        if (response.statusCode() == 429) {
          refused++;
          continue;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        numbers.add(new JsonObject(response.body()).getLong("number"));
        numbersPerAddress.merge(from.get(i), 1, Integer::sum);
      }
      assertThat(refused).isEqualTo(8 * 20);
      assertThat(numbersPerAddress).hasSize(8).allSatisfy((address, count) -> assertThat(count).isEqualTo(40));
      assertThat(numbers).doesNotHaveDuplicates().hasSize(320);
      assertThat(java.util.Collections.min(numbers)).isEqualTo(1);
      assertThat(java.util.Collections.max(numbers)).isEqualTo(320);
    }
  }

  @Test
  @DisplayName("with the waiting room off, joining says the shop is open without a token")
  void waitingRoomOff() {
    Map<String, Object> meta = TestRedis.event(105, "open-night", -1_000, 600, 100);
    meta.put("waitingRoom", "off");
    redis.publishEvent(105, meta);
    HttpResponse<String> response = room.join(105);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(response.body());
    assertThat(body.getString("state")).isEqualTo("admitted");
    assertThat(body.getString("waitingRoom")).isEqualTo("off");
  }

  @Test
  @DisplayName("the pre-queue shows the countdown and the place in line; the public overview shows the queue")
  void preQueueStatus() {
    redis.publishEvent(106, TestRedis.event(106, "countdown-night", 120_000, 600, 100));
    redis.publishAvailability(106, 40, 0, 0);
    String t1 = new JsonObject(room.join(106).body()).getString("queueToken");
    String t2 = new JsonObject(room.join(106).body()).getString("queueToken");
    JsonObject status = room.statusJson(106, t2);
    assertThat(status.getString("state")).isEqualTo("prequeue");
    assertThat(status.getLong("position")).isEqualTo(2);
    assertThat(status.getLong("ahead")).isEqualTo(1);
    assertThat(status.getLong("secondsUntilSale")).isBetween(100L, 120L);
    assertThat(status.getLong("etaSeconds")).isGreaterThanOrEqualTo(status.getLong("secondsUntilSale"));
    assertThat(status.getInteger("admissionRatePerMinute")).isEqualTo(600);
    assertThat(status.getLong("remainingTickets")).isEqualTo(40);
    assertThat(room.statusJson(106, t1).getLong("position")).isEqualTo(1);

    // The overview comes from the instance's snapshot, refreshed from Redis a few times a second.
    TestEnv.await(room.vertx.timer(700));
    JsonObject overview = new JsonObject(room.send(HttpRequest.newBuilder(
        URI.create(room.url("/api/v1/events/106/queue"))).GET()).body());
    assertThat(overview.getString("queue")).isEqualTo("prequeue");
    assertThat(overview.getLong("joined")).isEqualTo(2);
  }

  @Test
  @DisplayName("the status also arrives as a server-sent event stream")
  void serverSentEvents() throws Exception {
    redis.publishEvent(107, TestRedis.event(107, "stream-night", 60_000, 600, 100));
    String token = new JsonObject(room.join(107).body()).getString("queueToken");
    HttpRequest request = HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/107/queue/events")))
        .header("Authorization", "Bearer " + token)
        .GET().build();
    HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    try (java.util.stream.Stream<String> lines = response.body()) {
      String data = lines.filter(line -> line.startsWith("data: ")).findFirst().orElseThrow();
      JsonObject status = new JsonObject(data.substring("data: ".length()));
      assertThat(status.getString("state")).isEqualTo("prequeue");
      assertThat(status.getLong("number")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("the queue page is served with the event, its script and style as files, under the CSP")
  void queuePage() {
    redis.publishEvent(108, TestRedis.event(108, "page-night", 60_000, 600, 100));
    redis.setMeta(108, "name", "Rock <&> Roll");
    redis.cmd("DEL", redis.keys.slug("page-night"));
    redis.cmd("SET", redis.keys.slug("page-night"), 108);
    HttpResponse<String> page = room.send(HttpRequest.newBuilder(URI.create(room.url("/e/page-night"))).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    assertThat(page.body())
        .contains("data-event-id=\"108\"")
        .contains("Rock &lt;&amp;&gt; Roll")
        // The shop's script is the sale core's, loaded first (deferred scripts run in order).
        .contains("<script src=\"/shop/assets/common.js\" defer></script>\n"
            + "  <script src=\"/shop/assets/shop.js\" defer></script>\n"
            + "  <script src=\"/waiting-room/assets/queue.js\" defer></script>")
        .contains("aria-live=\"polite\"");
    assertThat(page.body().replace("<script src=", "")).doesNotContain("<script");
    HttpResponse<String> script = room.send(HttpRequest.newBuilder(
        URI.create(room.url("/waiting-room/assets/queue.js"))).GET());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("Content-Type").orElse("")).contains("javascript");
    HttpResponse<String> style = room.send(HttpRequest.newBuilder(
        URI.create(room.url("/waiting-room/assets/queue.css"))).GET());
    assertThat(style.statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("status polls are answered from memory: 1,000 polls cost next to no Redis round trips")
  void statusPollsSkipRedis() {
    redis.publishEvent(110, TestRedis.event(110, "cheap-night", 60_000, 600, 100));
    String token = new JsonObject(room.join(110).body()).getString("queueToken");
    room.statusJson(110, token);
    long before = room.redisRoundTrips.get();
    long started = System.nanoTime();
    for (int i = 0; i < 1_000; i++) {
      assertThat(room.status(110, token).statusCode()).isEqualTo(200);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long trips = room.redisRoundTrips.get() - before;
    System.out.printf("1000 status polls in %.2f s cost %d Redis round trips (background refresh and admission ticks)%n",
        seconds, trips);
    // Only the background refresh (a few per second) and the admission ticks touch Redis meanwhile.
    assertThat(trips).isLessThan(20 + (long) (seconds * 20));
  }

  @Test
  @DisplayName("joins are counted in onsale.queue.joined and the waiting gauge")
  void metrics() {
    redis.publishEvent(109, TestRedis.event(109, "metrics-night", 60_000, 600, 100));
    room.join(109);
    room.join(109);
    assertThat(room.meters.get("onsale.queue.joined").tag("event", "109").counter().count()).isEqualTo(2.0);
    TestEnv.await(room.vertx.timer(700));
    assertThat(room.meters.get("onsale.queue.waiting").tag("event", "109").gauge().value()).isEqualTo(2.0);
  }

  /**
   * The join limit counts in fixed one-minute windows: a test that counts refusals must not run
   * across the turn of a minute, so it starts in a minute with at least 20 s left.
   */
  private static void awaitFreshMinute() {
    long intoMinute = System.currentTimeMillis() % 60_000;
    if (intoMinute > 40_000) {
      try {
        Thread.sleep(60_000 - intoMinute + 100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
