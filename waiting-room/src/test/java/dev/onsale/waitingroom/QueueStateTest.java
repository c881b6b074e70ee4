package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.EventAvailability;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The public queue state")
class QueueStateTest {

  @Test
  @DisplayName("is one public document for everyone: no token, no cookie, cacheable for a second, ETag and 304, the same from two instances")
  void publicCacheableIdentical() throws Exception {
    OnsaleConfig configA = TestEnv.freshConfig(Map.of());
    OnsaleConfig configB = configA.with(Map.of("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort())));
    try (TestRedis redis = new TestRedis(configA);
        // Not checked against the document here: the check's time between the two instances' answers
        // could carry them into different seconds (the other tests here check the same answers).
        WaitingRoomInstance a = WaitingRoomInstance.start(configA);
        WaitingRoomInstance b = WaitingRoomInstance.start(configB)) {
      long event = 701;
      redis.publishEvent(event, TestRedis.event(event, "state-night", 600_000, 600, 100));
      redis.publishAvailability(event, 90, 4, 3, 3);
      for (int i = 0; i < 3; i++) {
        assertThat(a.join(event).statusCode()).isEqualTo(201);
      }
      Thread.sleep(1_200);

      HttpResponse<String> first = state(a, event, null);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("Cache-Control")).hasValue("public, max-age=1");
      assertThat(first.headers().firstValue("Set-Cookie")).isEmpty();
      String etag = first.headers().firstValue("ETag").orElseThrow();
      assertThat(etag).isEqualTo(PublicQueueState.etag(first.body()));
      JsonObject body = new JsonObject(first.body());
      assertThat(body.getString("state")).isEqualTo("prequeue");
      assertThat(body.getLong("serving")).isZero();
      assertThat(body.getLong("arrivals")).isEqualTo(3);
      assertThat(body.getLong("ticketsLeft")).isEqualTo(90);
      assertThat(body.getLong("ticketsPending")).isEqualTo(3);
      assertThat(body.getValue("admissionRatePerMinute")).as("nobody admitted yet").isNull();
      assertThat(body.getInteger("configuredRatePerMinute")).isEqualTo(600);
      assertThat(body.getInteger("refreshSeconds")).isEqualTo(30);
      assertThat(body.getValue("updatedAt")).isNull();
      assertThat(body.getString("joinChallenge")).isEqualTo("none");
      Instant serverTime = Instant.parse(body.getString("serverTime"));
      assertThat(serverTime.toEpochMilli() % 1000).as("whole seconds of Redis's clock").isZero();
      assertThat(Math.abs(serverTime.toEpochMilli() - System.currentTimeMillis())).isLessThan(5_000);
      assertThat(body.fieldNames()).contains("saleStartsAt", "serverTime", "refreshSeconds", "updatedAt");

      // Conditional requests: the same ETag is a 304 without a body, on either instance.
      HttpResponse<String> notModified = state(a, event, etag);
      if (notModified.statusCode() == 200) {
        // The second turned between the two requests: serverTime (and so the ETag) moved on.
        etag = notModified.headers().firstValue("ETag").orElseThrow();
        notModified = state(a, event, etag);
      }
      assertThat(notModified.statusCode()).isEqualTo(304);
      assertThat(notModified.body()).isEmpty();
      assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);

      // Both instances answer the same bytes once they read Redis in the same second (both read
      // Redis, nothing else). Each reads it on its own schedule, so for part of a second one may
      // still hold the last second's reading: ask again over a few seconds, not in one burst.
      boolean same = false;
      String differing = "";
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!same && System.nanoTime() < deadline) {
        HttpResponse<String> fromA = state(a, event, null);
        HttpResponse<String> fromB = state(b, event, null);
        same = fromA.body().equals(fromB.body());
        if (same) {
          assertThat(fromA.headers().firstValue("ETag")).isEqualTo(fromB.headers().firstValue("ETag"));
        } else {
          differing = fromA.body() + "\n" + fromB.body();
          Thread.sleep(150);
        }
      }
      assertThat(same).as("two instances give identical documents; the last two read:\n%s", differing).isTrue();

      // Unknown events and bad ids are JSON errors.
      HttpResponse<String> missing = state(a, 999_777, null);
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("not_found");
      HttpResponse<String> bad = a.send(HttpRequest.newBuilder(URI.create(a.url("/api/v1/events/abc/queue/state"))).GET());
      assertThat(bad.statusCode()).isBetween(400, 499);
      assertThat(new JsonObject(bad.body()).getString("error")).isNotBlank();
    }
  }

  @Test
  @DisplayName("reports the admission rate actually achieved, from Redis, and when serving last moved")
  void achievedRate() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of());
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      long event = 702;
      // 600 a minute are configured, but only 20 may shop at once: the line moves 20 and stops.
      redis.publishEvent(event, TestRedis.event(event, "rate-night", 0, 600, 20));
      redis.publishAvailability(event, 1_000, 0, 0);
      for (int i = 0; i < 100; i++) {
        room.join(event);
      }
      JsonObject body = awaitState(room, event, s -> s.getLong("serving") >= 20 && s.getValue("updatedAt") != null);
      assertThat(body.getString("state")).isEqualTo("admitting");
      assertThat(body.getInteger("refreshSeconds")).isEqualTo(2);
      Thread.sleep(3_000);
      body = new JsonObject(state(room, event, null).body());
      assertThat(body.getLong("serving")).as("the shopper cap holds the line").isEqualTo(20);
      double achieved = body.getDouble("admissionRatePerMinute");
      int window = body.getInteger("rateWindowSeconds");
      assertThat(window).isBetween(3, 60);
      assertThat(achieved).as("20 admissions over the %d s window", window).isCloseTo(20 * 60.0 / window, org.assertj.core.data.Offset.offset(0.11));
      assertThat(achieved).isLessThan(600);
      assertThat(Instant.parse(body.getString("updatedAt"))).isBefore(Instant.parse(body.getString("serverTime")));
      assertThat(redis.number("HLEN", redis.keys.event(event).admissionLog())).isBetween(1L, 5L);
    }
  }

  @Test
  @DisplayName("while every ticket is in a basket, pages read again when the earliest one can come back, every 5 to 30 s")
  void basketRefreshFollowsTheNextRelease() {
    long now = 1_000_000_000L;
    assertThat(PublicQueueState.untilRelease(basket(0), now)).isEqualTo(5);
    assertThat(PublicQueueState.untilRelease(basket(now - 4_000), now)).isEqualTo(5);
    assertThat(PublicQueueState.untilRelease(basket(now + 2_000), now)).isEqualTo(5);
    assertThat(PublicQueueState.untilRelease(basket(now + 11_200), now)).isEqualTo(12);
    assertThat(PublicQueueState.untilRelease(basket(now + 600_000), now)).isEqualTo(30);
  }

  private static Availability basket(long nextReleaseAt) {
    return new Availability(true, 100, 0, 0, 100, 0, nextReleaseAt, 0);
  }

  @Test
  @DisplayName("counts tickets in unpaid orders apart, and an event whose only tickets are in them is not sold out")
  void pendingIsNotSoldOut() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of());
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      long event = 703;
      redis.publishEvent(event, TestRedis.event(event, "pending-night", -1_000, 600, 20));
      redis.publishAvailability(event, 0, 0, 95, 5);
      JsonObject body = awaitState(room, event, s -> s.getLong("ticketsPending") == 5);
      assertThat(body.getString("state")).isEqualTo("waiting_for_tickets");
      assertThat(body.getLong("ticketsLeft")).isZero();
      assertThat(body.getInteger("refreshSeconds")).as("no release time published").isEqualTo(5);

      // The earliest payment window ends in ten minutes: pages read every 30 s meanwhile, not every 5 s.
      String availability = redis.keys.event(event).availability();
      redis.cmd("HSET", availability, EventAvailability.NEXT_RELEASE_AT, String.valueOf(System.currentTimeMillis() + 600_000));
      body = awaitState(room, event, s -> s.getInteger("refreshSeconds") == 30);
      assertThat(body.getString("state")).isEqualTo("waiting_for_tickets");
      // It ends in 12 s: the pages read again around then.
      redis.cmd("HSET", availability, EventAvailability.NEXT_RELEASE_AT, String.valueOf(System.currentTimeMillis() + 12_000));
      body = awaitState(room, event, s -> s.getInteger("refreshSeconds") < 30);
      assertThat(body.getInteger("refreshSeconds")).isBetween(5, 13);

      redis.publishAvailability(event, 0, 0, 100, 0);
      body = awaitState(room, event, s -> s.getLong("ticketsPending") == 0);
      assertThat(body.getString("state")).isEqualTo("sold_out");

      // Before the sale core publishes `pending`, it reads as 0.
      redis.cmd("HDEL", redis.keys.event(event).availability(), "pending");
      redis.publishAvailability(event, 10, 0, 90);
      body = awaitState(room, event, s -> s.getLong("ticketsLeft") == 10);
      assertThat(body.getLong("ticketsPending")).isZero();
    }
  }

  @Test
  @DisplayName("the achieved rate is computed from the last minute of the admission log only")
  void rateFromLog() {
    long now = 1_000_000;
    assertThat(AchievedRate.fromLog(Map.of(), now).known()).isFalse();
    AchievedRate start = AchievedRate.fromLog(Map.of(String.valueOf(now), "10"), now);
    assertThat(start.perMinute()).isEqualTo(600);
    assertThat(start.windowSeconds()).isEqualTo(1);
    assertThat(start.steady()).isFalse();
    Map<String, String> log = new java.util.HashMap<>();
    for (long s = now - 89; s <= now; s++) {
      log.put(String.valueOf(s), "5");
    }
    AchievedRate full = AchievedRate.fromLog(log, now);
    assertThat(full.windowSeconds()).isEqualTo(60);
    assertThat(full.perMinute()).isEqualTo(300);
    assertThat(full.steady()).isTrue();
    AchievedRate stopped = AchievedRate.fromLog(Map.of(String.valueOf(now - 100), "7"), now);
    assertThat(stopped.perMinute()).isZero();
  }

  static HttpResponse<String> state(WaitingRoomInstance room, long event, String ifNoneMatch) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + event + "/queue/state"))).GET();
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return room.send(request);
  }

  static JsonObject awaitState(WaitingRoomInstance room, long event, java.util.function.Predicate<JsonObject> done)
      throws InterruptedException {
    JsonObject last = null;
    for (int i = 0; i < 100; i++) {
      HttpResponse<String> response = state(room, event, null);
      if (response.statusCode() == 200) {
        last = new JsonObject(response.body());
        if (done.test(last)) {
          return last;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the state never got there: " + last);
  }
}
