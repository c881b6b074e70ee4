package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Proof-of-work joins")
class ProofOfWorkJoinTest {

  @Test
  @DisplayName("a new number takes a solved challenge, each challenge works once, and forged, unsolved or missing ones are 4xx errors")
  void solvedOnce() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of());
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      long event = 801;
      Map<String, Object> meta = TestRedis.event(event, "pow-night", 600_000, 600, 100);
      meta.put("joinChallenge", "pow");
      meta.put("powDifficulty", 10);
      redis.publishEvent(event, meta);

      HttpResponse<String> none = room.join(event);
      assertThat(none.statusCode()).isEqualTo(400);
      assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("challenge_required");
      assertThat(redis.number("GET", redis.keys.event(event).arrivals())).as("no number taken").isZero();

      JsonObject challenge = challenge(room, event);
      assertThat(challenge.getInteger("difficulty")).isEqualTo(10);
      Instant expiresAt = Instant.parse(challenge.getString("expiresAt"));
      assertThat(expiresAt).isAfter(Instant.now().plusSeconds(60));
      String text = challenge.getString("challenge");
      assertThat((text + "999999999999").getBytes(StandardCharsets.UTF_8).length).as("one SHA-256 block").isLessThanOrEqualTo(55);
      long nonce = solve(text, 10);

      // Not solved: a nonce whose hash lacks the zero bits.
      long wrong = nonce + 1;
      while (JoinChallenges.leadingZeroBits(JoinChallenges.sha256((text + wrong).getBytes(StandardCharsets.UTF_8))) >= 10) {
        wrong++;
      }
      assertError(join(room, event, new JsonObject().put("challenge", text).put("nonce", String.valueOf(wrong))),
          400, "challenge_unsolved");
      // Forged: the same fields with another serial or difficulty break the signature.
      String[] parts = text.split("\\.");
      String forged = parts[0] + "." + (Long.parseLong(parts[1]) + 1) + "." + parts[2] + "." + parts[3] + "." + parts[4];
      assertError(join(room, event, new JsonObject().put("challenge", forged).put("nonce", "1")), 400, "challenge_invalid");
      String easier = parts[0] + "." + parts[1] + "." + parts[2] + ".1." + parts[4];
      assertError(join(room, event, new JsonObject().put("challenge", easier).put("nonce", "1")), 400, "challenge_invalid");
      assertError(join(room, event, new JsonObject().put("challenge", text).put("nonce", "-5")), 400, "invalid_field");
      assertError(join(room, event, new JsonObject().put("challenge", 42).put("nonce", "5")), 400, "invalid_field");

      HttpResponse<String> joined = join(room, event, new JsonObject().put("challenge", text).put("nonce", nonce));
      assertThat(joined.statusCode()).isEqualTo(201);
      JsonObject first = new JsonObject(joined.body());
      assertThat(first.getLong("number")).isEqualTo(1);

      // The same solution again: refused, and no second number.
      assertError(join(room, event, new JsonObject().put("challenge", text).put("nonce", String.valueOf(nonce))),
          409, "challenge_used");
      // Joining again with the token keeps the number without any work.
      assertThat(new JsonObject(room.joinWithToken(event, first.getString("queueToken")).body()).getLong("number"))
          .isEqualTo(1);
      // A second challenge gives a second number; one bit per challenge in the event's slot.
      JsonObject second = challenge(room, event);
      HttpResponse<String> again = join(room, event,
          new JsonObject().put("challenge", second.getString("challenge")).put("nonce", solve(second.getString("challenge"), 10)));
      assertThat(new JsonObject(again.body()).getLong("number")).isEqualTo(2);
      String used = redis.keys.event(event).powUsed();
      assertThat(used).contains("{event:" + event + "}");
      assertThat(redis.number("BITCOUNT", used)).isEqualTo(2);
      assertThat(redis.number("STRLEN", used)).isLessThanOrEqualTo(1);

      // Raising the difficulty turns away solutions of easier challenges still in flight.
      JsonObject old = challenge(room, event);
      redis.setMeta(event, "powDifficulty", 12);
      Thread.sleep(1_200);
      assertError(join(room, event, new JsonObject().put("challenge", old.getString("challenge"))
          .put("nonce", solve(old.getString("challenge"), 10))), 400, "challenge_expired");
    }
  }

  @Test
  @DisplayName("an event without joinChallenge takes no work, and powDifficulty defaults to 17")
  void defaults() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of());
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      redis.publishEvent(802, TestRedis.event(802, "free-night", 600_000, 600, 100));
      HttpResponse<String> none = room.send(HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/802/queue/challenge"))).GET());
      assertThat(none.statusCode()).isEqualTo(409);
      assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("no_challenge");
      assertThat(room.join(802).statusCode()).isEqualTo(201);

      Map<String, Object> meta = TestRedis.event(803, "default-pow-night", 600_000, 600, 100);
      meta.put("joinChallenge", "pow");
      redis.publishEvent(803, meta);
      assertThat(challenge(room, 803).getInteger("difficulty")).isEqualTo(17);
      JsonObject state = new JsonObject(QueueStateTest.state(room, 803, null).body());
      assertThat(state.getString("joinChallenge")).isEqualTo("pow");
    }
  }

  @Test
  @DisplayName("one address takes at most twice its join limit of challenges a minute: past it a 429, and the serial stays put")
  void challengesPerAddressAreLimited() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "3"));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config)) {
      Map<String, Object> meta = TestRedis.event(804, "limited-pow-night", 600_000, 600, 100);
      meta.put("joinChallenge", "pow");
      redis.publishEvent(804, meta);
      long intoMinute = System.currentTimeMillis() % 60_000;
      if (intoMinute > 50_000) {
        // The limit counts per clock minute: start the count in a fresh one.
        Thread.sleep(60_000 - intoMinute + 200);
      }
      for (int i = 0; i < 6; i++) {
        challenge(room, 804);
      }
      HttpResponse<String> over = room.send(HttpRequest.newBuilder(
          URI.create(room.url("/api/v1/events/804/queue/challenge"))).GET());
      assertError(over, 429, "rate_limited");
      assertThat(over.headers().firstValue("Retry-After")).isPresent();
      assertThat(redis.number("GET", redis.keys.event(804).powSerial())).isEqualTo(6);
    }
  }

  static long solve(String challenge, int difficulty) {
    for (long nonce = 0; ; nonce++) {
      if (JoinChallenges.leadingZeroBits(JoinChallenges.sha256((challenge + nonce).getBytes(StandardCharsets.UTF_8))) >= difficulty) {
        return nonce;
      }
    }
  }

  @Test
  @DisplayName("with writes confirmed by a replica and none to confirm them, no challenge is handed out and no number taken: 503")
  void challengesWaitForAReplica() throws Exception {
    // The machine's Redis has no replica: WAIT answers 0, as a master left alone after a failover would.
    OnsaleConfig config = TestEnv.freshConfig(Map.of("ONSALE_REDIS_WAIT_REPLICAS", "1", "ONSALE_REDIS_WAIT_MS", "100"));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      long event = 803;
      Map<String, Object> meta = TestRedis.event(event, "pow-replicated", 600_000, 600, 100);
      meta.put("joinChallenge", "pow");
      meta.put("powDifficulty", 8);
      redis.publishEvent(event, meta);

      HttpResponse<String> refused = room.send(HttpRequest.newBuilder(
          URI.create(room.url("/api/v1/events/" + event + "/queue/challenge"))).GET());
      assertError(refused, 503, "replication_lagging");
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(redis.number("GET", redis.keys.event(event).arrivals())).as("no number taken").isZero();
    }
  }

  private static JsonObject challenge(WaitingRoomInstance room, long event) {
    HttpResponse<String> response = room.send(HttpRequest.newBuilder(
        URI.create(room.url("/api/v1/events/" + event + "/queue/challenge"))).GET());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    return new JsonObject(response.body());
  }

  private static HttpResponse<String> join(WaitingRoomInstance room, long event, JsonObject body) {
    return room.send(HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + event + "/queue")))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo(error);
  }
}
