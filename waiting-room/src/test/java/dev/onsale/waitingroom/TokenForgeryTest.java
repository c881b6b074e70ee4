package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Tokens;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Forged queue tokens")
class TokenForgeryTest {

  private static final long EVENT = 301;
  private static final long OTHER_EVENT = 302;
  private static OnsaleConfig config;
  private static TestRedis redis;
  private static WaitingRoomInstance room;
  private static String genuine;

  @BeforeAll
  static void start() {
    config = TestEnv.freshConfig();
    redis = new TestRedis(config);
    room = WaitingRoomInstance.start(config).checkedAgainstTheDocument();
    redis.publishEvent(EVENT, TestRedis.event(EVENT, "forgery-night", 60_000, 600, 100));
    redis.publishEvent(OTHER_EVENT, TestRedis.event(OTHER_EVENT, "other-night", 60_000, 600, 100));
    genuine = new JsonObject(room.join(EVENT).body()).getString("queueToken");
  }

  @AfterAll
  static void stop() {
    room.close();
    redis.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"wrong-secret", "alg-none", "expired", "other-event", "admission-not-queue",
      "tampered-number", "garbage", "missing"})
  @DisplayName("a status request with a forged, expired or misdirected token is a 401 JSON error")
  void refused(String kind) throws Exception {
    String token = forged(kind);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + EVENT + "/queue/status"))).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response = room.send(request);
    assertThat(response.statusCode()).as(kind).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(new JsonObject(response.body()).getString("error")).isEqualTo("invalid_token");
    // The event stream refuses it the same way, before any event is sent.
    HttpRequest.Builder stream = HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + EVENT + "/queue/events"))).GET();
    if (token != null) {
      stream.header("Authorization", "Bearer " + token);
    }
    assertThat(room.send(stream).statusCode()).as(kind).isEqualTo(401);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"wrong-secret", "alg-none", "expired", "other-event"})
  @DisplayName("joining with an explicitly presented forged token is refused too, not given a number")
  void joinRefused(String kind) throws Exception {
    long before = redis.number("GET", redis.keys.event(EVENT).arrivals());
    HttpResponse<String> response = room.joinWithToken(EVENT, forged(kind));
    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(redis.number("GET", redis.keys.event(EVENT).arrivals())).isEqualTo(before);
  }

  @org.junit.jupiter.api.Test
  @DisplayName("the genuine token is accepted")
  void genuineAccepted() {
    assertThat(room.status(EVENT, genuine).statusCode()).isEqualTo(200);
  }

  private static String forged(String kind) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("typ", "queue").put("ev", EVENT).put("n", 1).put("mid", "x")
        .put("iat", now).put("exp", now + 3600);
    return switch (kind) {
      case "wrong-secret" -> hs256(claims, "not-the-secret-0123456789-0123456789-0123");
      case "alg-none" -> b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "."
          + b64(claims.encode()) + ".";
      case "expired" -> hs256(claims.put("iat", now - 7200).put("exp", now - 3600), config.tokenSecret());
      case "other-event" -> {
        Vertx vertx = Vertx.vertx();
        try {
          yield new Tokens(vertx, config.tokenSecret()).queueToken(OTHER_EVENT, 1, "x", 3600);
        } finally {
          TestEnv.await(vertx.close());
        }
      }
      case "admission-not-queue" -> hs256(claims.put("typ", "admission"), config.tokenSecret()).toString();
      case "tampered-number" -> {
        String[] parts = genuine.split("\\.");
        JsonObject payload = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        yield parts[0] + "." + b64(payload.put("n", 0).encode()) + "." + parts[2];
      }
      case "garbage" -> "not.a.token";
      case "missing" -> null;
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static String hs256(JsonObject claims, String secret) throws Exception {
    String signingInput = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode()) + "." + b64(claims.encode());
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signingInput + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
