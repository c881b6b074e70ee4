package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The shop behind the waiting room")
class AdmissionEnforcementTest {

  static SaleServer server;
  static long eventId;
  static long otherEventId;
  static long categoryId;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
    JsonObject event = server.createEvent(SaleServer.eventOnSale("guarded", 20).put("waitingRoom", "on"));
    eventId = event.getLong("id");
    categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    otherEventId = server.createEvent(SaleServer.eventOnSale("guarded-other", 5).put("waitingRoom", "on")).getLong("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Answer reserveWith(String token) {
    Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    return server.http.post("/api/v1/events/" + eventId + "/reservations", SaleServer.items(categoryId, 2), headers);
  }

  @Test
  @DisplayName("refuses a reservation without a valid admission token for this event")
  void refusesWithoutAdmission() {
    assertThat(reserveWith(null).status()).isEqualTo(401);
    assertThat(reserveWith("garbage").status()).isEqualTo(401);
    assertThat(reserveWith(server.services.tokens().admissionToken(otherEventId, 1, 120)).status()).isEqualTo(401);
    assertThat(reserveWith(server.services.tokens().queueToken(eventId, 1, "m1", 120)).status()).isEqualTo(401);
    long past = Instant.now().getEpochSecond() - 60;
    assertThat(reserveWith(signed("{\"typ\":\"admission\",\"ev\":" + eventId + ",\"n\":1,\"exp\":" + past + "}",
        server.config.tokenSecret())).status()).as("expired").isEqualTo(401);
    assertThat(reserveWith(signed("{\"typ\":\"admission\",\"ev\":" + eventId + ",\"n\":1}",
        server.config.tokenSecret())).status()).as("without expiry").isEqualTo(401);
    long future = Instant.now().getEpochSecond() + 600;
    assertThat(reserveWith(signed("{\"typ\":\"admission\",\"ev\":" + eventId + ",\"n\":1,\"exp\":" + future + "}",
        "a-different-secret-of-enough-length-000")).status()).as("wrong key").isEqualTo(401);
    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String claims = b64("{\"typ\":\"admission\",\"ev\":" + eventId + ",\"n\":1,\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");
    Answer none = reserveWith(header + "." + claims + ".");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.error()).isEqualTo("invalid_token");
    assertThat(server.stats(eventId).getLong("held")).isZero();
  }

  @Test
  @DisplayName("one active reservation per admission, whose slot stays counted until the hold ends and frees on order")
  void oneReservationPerAdmission() {
    long number = 7;
    RedisKeys.Event keys = server.services.keys().event(eventId);
    long graceEnd = System.currentTimeMillis() + 60_000;
    await(server.services.redis().send(Request.cmd(Command.ZADD).arg(keys.activeShoppers()).arg(graceEnd).arg(number)));
    String token = server.services.tokens().admissionToken(eventId, number, 120);

    Answer first = reserveWith(token);
    assertThat(first.status()).isEqualTo(201);
    Answer second = reserveWith(token);
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.error()).isEqualTo("admission_in_use");

    long holdEnd = Instant.parse(first.json().getString("expiresAt")).toEpochMilli();
    assertThat(score(keys, number)).isEqualTo((double) holdEnd);

    Answer order = server.http.post("/api/v1/reservations/" + first.json().getString("id") + "/order",
        SaleServer.buyer("Admitted Buyer"), Map.of());
    assertThat(order.status()).isEqualTo(201);
    assertThat(scoreOnceRemoved(keys, number)).as("the slot is freed").isNull();
  }

  private static Double score(RedisKeys.Event keys, long number) {
    long deadline = System.currentTimeMillis() + 3000;
    Response response = null;
    while (System.currentTimeMillis() < deadline) {
      response = await(server.services.redis().send(Request.cmd(Command.ZSCORE).arg(keys.activeShoppers()).arg(number)));
      if (response == null || response.toDouble() > System.currentTimeMillis() + 61_000) {
        break;
      }
      sleep(50);
    }
    return response == null ? null : response.toDouble();
  }

  /** An HS256 JWT signed with any key, to forge what an attacker could. */
  static String signed(String claims, String secret) {
    try {
      String unsigned = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(claims);
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return unsigned + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Double scoreOnceRemoved(RedisKeys.Event keys, long number) {
    long deadline = System.currentTimeMillis() + 3000;
    Response response;
    do {
      response = await(server.services.redis().send(Request.cmd(Command.ZSCORE).arg(keys.activeShoppers()).arg(number)));
      sleep(20);
    } while (response != null && System.currentTimeMillis() < deadline);
    return response == null ? null : response.toDouble();
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
