package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.Admissions;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
    JsonObject event = server.createEvent(TestEvents.onSale("guarded", 20).put("waitingRoom", "on"));
    eventId = event.getLong("id");
    categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    otherEventId = server.createEvent(TestEvents.onSale("guarded-other", 5).put("waitingRoom", "on")).getLong("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Answer reserveWith(String token) {
    Map<String, String> headers = token == null ? Map.of() : Map.of("Authorization", "Bearer " + token);
    return server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 2), headers);
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

    Answer order = server.http.post(Holds.orderPath(first.json()),
        TestEvents.buyer("Admitted Buyer"), Map.of("Authorization", "Bearer " + token));
    assertThat(order.status()).isEqualTo(201);
    assertThat(scoreOnceRemoved(keys, number)).as("the slot is freed").isNull();
  }

  @Test
  @DisplayName("only the admission that made a reservation orders it; to another it does not exist, and nothing changes")
  void onlyTheMakerOrders() {
    Map<String, String> buyerA = server.admit(eventId, 31);
    Map<String, String> buyerB = server.admit(eventId, 32);
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 2), buyerA);
    assertThat(hold.status()).isEqualTo(201);
    assertThat(hold.json().getString("secret")).as("the admission is the key: no secret to leak").isNull();
    String id = hold.json().getString("id");
    String orderPath = Holds.orderPath(hold.json());
    String before = reservationState(id);
    long heldBefore = server.stats(eventId).getLong("held");
    JsonObject unknown = server.http.post("/api/v1/reservations/" + UUID.randomUUID() + "/order",
        TestEvents.buyer("Buyer B"), buyerB).json();

    Map<String, String> bWithAsKey = with(buyerB, "Idempotency-Key", "order-" + id);
    String derivedSecret = server.services.tokens().reservationSecret(UUID.fromString(id));
    for (Answer refused : List.of(
        server.http.post(orderPath, TestEvents.buyer("Buyer B"), buyerB),
        server.http.post(orderPath, TestEvents.buyer("Buyer B"), bWithAsKey),
        server.http.post(orderPath, TestEvents.buyer("Buyer B"), Map.of()),
        server.http.post(orderPath + "?secret=" + derivedSecret, TestEvents.buyer("Buyer B"), Map.of()),
        server.http.delete(Holds.releasePath(hold.json()), buyerB),
        server.http.delete(Holds.releasePath(hold.json()), Map.of()))) {
      assertThat(refused.status()).as("%s", refused.raw()).isEqualTo(404);
      assertThat(refused.json()).as("the same answer as an unknown reservation").isEqualTo(unknown);
    }
    assertThat(server.http.post(orderPath, TestEvents.buyer("Buyer B"), Map.of("Authorization", "Bearer forged"))
        .status()).isEqualTo(401);
    assertThat(reservationState(id)).as("nothing changed").isEqualTo(before);
    assertThat(server.sql("SELECT count(*) FROM orders WHERE reservation_id = $1", UUID.fromString(id)).iterator().next()
        .getLong(0)).isZero();
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(heldBefore);

    // A's own admission orders, with the key B tried, even with a token past its expiry (the hold's end bounds it).
    String expiredTokenOfA = signed("{\"typ\":\"admission\",\"ev\":" + eventId + ",\"n\":31,\"exp\":"
        + (Instant.now().getEpochSecond() - 60) + "}", server.config.tokenSecret());
    Answer ordered = server.http.post(orderPath, TestEvents.buyer("Buyer A"),
        Map.of("Authorization", "Bearer " + expiredTokenOfA, "Idempotency-Key", "order-" + id));
    assertThat(ordered.status()).as("%s", ordered.raw()).isEqualTo(201);
    Answer bAgain = server.http.post(orderPath, TestEvents.buyer("Buyer B"), bWithAsKey);
    assertThat(bAgain.status()).as("B's repeat of the key is not A's answer").isEqualTo(404);
    assertThat(bAgain.raw().toString()).doesNotContain(ordered.json().getString("secret"));
  }

  @Test
  @DisplayName("the admission that made a reservation releases it; another admission cannot")
  void onlyTheMakerReleases() {
    Map<String, String> buyerA = server.admit(eventId, 41);
    Map<String, String> buyerB = server.admit(eventId, 42);
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 1), buyerA);
    assertThat(hold.status()).isEqualTo(201);
    String id = hold.json().getString("id");

    assertThat(server.http.delete(Holds.releasePath(hold.json()), buyerB).status()).isEqualTo(404);
    assertThat(reservationState(id)).isEqualTo("active/1");

    Answer released = server.http.delete(Holds.releasePath(hold.json()), buyerA);
    assertThat(released.status()).isEqualTo(200);
    assertThat(reservationState(id)).isEqualTo("released/0");
  }

  @Test
  @DisplayName("an admission whose slot is gone (ended, or lapsed) cannot reserve, as its queue status says")
  void refusesAnAdmissionWithoutItsSlot() {
    RedisKeys.Event keys = server.services.keys().event(eventId);
    long heldBefore = server.stats(eventId).getLong("held");
    Map<String, String> removed = server.admit(eventId, 51);
    Admissions.endNow(server.services.redis(), server.services.keys(), eventId, 51);
    Map<String, String> lapsed = server.admit(eventId, 52);
    await(server.services.redis().send(Request.cmd(Command.ZADD).arg(keys.activeShoppers()).arg("XX")
        .arg(System.currentTimeMillis() - 1000).arg(52)));

    for (Map<String, String> admission : List.of(removed, lapsed)) {
      Answer refused = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryId, 1),
          admission);
      assertThat(refused.status()).as("%s", refused.raw()).isEqualTo(409);
      assertThat(refused.error()).isEqualTo("admission_ended");
      assertThat(refused.json().getString("message")).isNotBlank();
    }
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(heldBefore);
    assertThat(server.sql("SELECT count(*) FROM reservations WHERE event_id = $1 AND admission_n IN (51, 52)", eventId)
        .iterator().next().getLong(0)).isZero();
  }

  /** A reservation's status and its tickets still held, to compare before and after refused requests. */
  private static String reservationState(String id) {
    return server.sql("""
        SELECT r.status || '/' || (SELECT count(*) FROM tickets t WHERE t.reservation_id = r.id AND t.status = 'open')
          FROM reservations r WHERE r.id = $1""", UUID.fromString(id)).iterator().next().getString(0);
  }

  private static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> more = new java.util.HashMap<>(headers);
    more.put(name, value);
    return more;
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
