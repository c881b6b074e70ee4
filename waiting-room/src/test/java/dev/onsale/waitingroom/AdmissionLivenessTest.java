package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An admitted buyer's liveness")
class AdmissionLivenessTest {

  private static final long EVENT = 1001;
  private static final int LEAVE_SECONDS = 2;

  @Test
  @DisplayName("a page that leaves frees its slot soon, a request with its token puts it back, a silent page keeps it, a hold is never cut")
  void leaveAndComeBack() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of("ONSALE_ADMISSION_LEAVE_SECONDS", String.valueOf(LEAVE_SECONDS)));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config)) {
      redis.publishEvent(EVENT, TestRedis.event(EVENT, "alive-night", 3_600_000, 6_000, 2));
      redis.publishAvailability(EVENT, 100, 0, 0);
      Map<Long, String> tokens = new HashMap<>();
      for (int i = 0; i < 5; i++) {
        JsonObject joined = new JsonObject(room.join(EVENT).body());
        tokens.put(joined.getLong("number"), joined.getString("queueToken"));
      }
      redis.setMeta(EVENT, "saleStartsAt", System.currentTimeMillis());
      String active = redis.keys.event(EVENT).activeShoppers();
      await(() -> redis.serving(EVENT) == 2, 5_000);
      await(() -> "admitted".equals(room.statusJson(EVENT, tokens.get(1L)).getString("state")), 3_000);
      long lapse = (long) Double.parseDouble(redis.string("ZSCORE", active, 1));

      // A silent page: nothing happens to its turn (it lasts the 120 s grace, more than 90 s).
      Thread.sleep(2 * LEAVE_SECONDS * 1000L);
      assertThat(redis.string("ZSCORE", active, 1)).isNotNull();
      assertThat((long) Double.parseDouble(redis.string("ZSCORE", active, 1)) - System.currentTimeMillis())
          .isGreaterThan(90_000);

      // Buyer 1's page goes away (a reload), and comes back before the leave delay: the turn is as it was.
      assertThat(post(room, "leave", tokens.get(1L)).statusCode()).isEqualTo(204);
      long cut = (long) Double.parseDouble(redis.string("ZSCORE", active, 1));
      assertThat(cut - System.currentTimeMillis()).isBetween(0L, LEAVE_SECONDS * 1000L);
      assertThat(room.statusJson(EVENT, tokens.get(1L)).getString("state")).isEqualTo("admitted");
      assertThat((long) Double.parseDouble(redis.string("ZSCORE", active, 1))).isEqualTo(lapse);
      assertThat(redis.number("HLEN", redis.keys.event(EVENT).leaving())).isZero();

      // Buyer 2 holds tickets (the sale core moved the lapse to the hold's end) and reloads: put back too.
      long holdEnd = System.currentTimeMillis() + 600_000;
      redis.cmd("ZADD", active, "XX", holdEnd, 2);
      assertThat(post(room, "leave", tokens.get(2L)).statusCode()).isEqualTo(204);
      assertThat(post(room, "alive", tokens.get(2L)).statusCode()).isEqualTo(204);
      assertThat((long) Double.parseDouble(redis.string("ZSCORE", active, 2))).isEqualTo(holdEnd);

      // Buyer 1 leaves for good: the slot goes to buyer 3 within the leave delay (plus a tick).
      long leftAt = System.currentTimeMillis();
      post(room, "leave", tokens.get(1L));
      await(() -> redis.serving(EVENT) == 3, (LEAVE_SECONDS + 3) * 1000L);
      assertThat(System.currentTimeMillis() - leftAt).isLessThan((LEAVE_SECONDS + 3) * 1000L);
      JsonObject gone = room.statusJson(EVENT, tokens.get(1L));
      assertThat(gone.getString("state")).isEqualTo("closed");
      assertThat(gone.getString("reason")).isEqualTo("admission_ended");

      // Leaving or saying alive without a valid token is a 401 JSON error; for a number still waiting, nothing.
      HttpResponse<String> anonymous = room.send(HttpRequest.newBuilder(URI.create(
          room.url("/api/v1/events/" + EVENT + "/queue/leave"))).POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(new JsonObject(anonymous.body()).getString("error")).isNotBlank();
      assertThat(post(room, "leave", tokens.get(5L)).statusCode()).isEqualTo(204);
      assertThat(redis.string("ZSCORE", active, 5)).isNull();
    }
  }

  private static HttpResponse<String> post(WaitingRoomInstance room, String what, String token) {
    return room.send(HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + EVENT + "/queue/" + what)))
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private static void await(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + millis + " ms");
      }
      Thread.sleep(50);
    }
  }
}
