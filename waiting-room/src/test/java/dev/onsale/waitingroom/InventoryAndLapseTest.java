package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Admission follows shoppers and inventory")
class InventoryAndLapseTest {

  private static final long EVENT = 701;
  private static final int GRACE_SECONDS = 6;

  @Test
  @DisplayName("a claim keeps the slot, an order frees it at once, an unclaimed admission lapses; sold out stops the line and returned tickets restart it")
  void shoppersAndInventory() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of(
        "ONSALE_JOIN_RATE_PER_MINUTE", "100000",
        "ONSALE_ADMISSION_GRACE_SECONDS", String.valueOf(GRACE_SECONDS)));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config)) {
      redis.publishEvent(EVENT, TestRedis.event(EVENT, "stock-night", 3_600_000, 6_000, 3));
      redis.publishAvailability(EVENT, 100, 0, 0);
      Map<Long, String> tokens = new HashMap<>();
      for (int i = 0; i < 12; i++) {
        JsonObject joined = new JsonObject(room.join(EVENT).body());
        tokens.put(joined.getLong("number"), joined.getString("queueToken"));
      }
      redis.setMeta(EVENT, "saleStartsAt", System.currentTimeMillis());
      String active = redis.keys.event(EVENT).activeShoppers();

      // maxActiveShoppers = 3 holds the line at three, though the rate would allow far more.
      await(() -> redis.serving(EVENT) == 3, 5_000);
      Thread.sleep(1_500);
      assertThat(redis.serving(EVENT)).isEqualTo(3);
      JsonObject first = room.statusJson(EVENT, tokens.get(1L));
      assertThat(first.getString("state")).isEqualTo("admitted");
      assertThat(first.getString("admissionToken")).isNotBlank();
      assertThat(room.statusJson(EVENT, tokens.get(4L)).getLong("position")).isEqualTo(1);

      // Buyer 1 reserves (the sale core moves the score to the hold's expiry), buyer 2 orders (removed).
      redis.cmd("ZADD", active, "XX", System.currentTimeMillis() + 120_000, 1);
      long orderedAt = System.currentTimeMillis();
      redis.cmd("ZREM", active, 2);
      await(() -> redis.serving(EVENT) == 4, 3_000);
      assertThat(System.currentTimeMillis() - orderedAt).as("the freed slot went on at once, not after the grace")
          .isLessThan(GRACE_SECONDS * 1000L);

      // Buyer 3 never comes: after the grace period the admission lapses and the line moves on.
      await(() -> redis.serving(EVENT) >= 5, (GRACE_SECONDS + 4) * 1000L);
      JsonObject lapsed = room.statusJson(EVENT, tokens.get(3L));
      assertThat(lapsed.getString("state")).isEqualTo("closed");
      assertThat(lapsed.getString("reason")).isEqualTo("admission_ended");
      assertThat(room.statusJson(EVENT, tokens.get(1L)).getString("state")).as("the claimed slot stays")
          .isEqualTo("admitted");

      // Every ticket held: the line stands still, buyers keep their place.
      redis.publishAvailability(EVENT, 0, 5, 95);
      Thread.sleep(700);
      long servingWhileHeld = redis.serving(EVENT);
      redis.cmd("DEL", active);
      Thread.sleep(2_500);
      assertThat(redis.serving(EVENT)).isEqualTo(servingWhileHeld);
      JsonObject held = room.statusJson(EVENT, tokens.get(12L));
      assertThat(held.getString("state")).isEqualTo("waiting");
      assertThat(held.getBoolean("waitingForTickets")).isTrue();
      assertThat(held.getLong("remainingTickets")).isZero();

      // Sold out: no ticket free, none held: everyone waiting is told at once.
      redis.publishAvailability(EVENT, 0, 0, 100);
      Thread.sleep(700);
      assertThat(room.statusJson(EVENT, tokens.get(12L)).getString("state")).isEqualTo("sold_out");
      assertThat(room.statusJson(EVENT, tokens.get(9L)).getString("state")).isEqualTo("sold_out");
      assertThat(redis.serving(EVENT)).isEqualTo(servingWhileHeld);

      // Tickets come back (a cancelled order): admission resumes.
      redis.publishAvailability(EVENT, 4, 0, 96);
      await(() -> redis.serving(EVENT) > servingWhileHeld, 4_000);
      assertThat(room.statusJson(EVENT, tokens.get(12L)).getString("state")).isIn("waiting", "admitted");
    }
  }

  private static void await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within " + timeoutMillis + " ms");
      }
      Thread.sleep(100);
    }
  }
}
