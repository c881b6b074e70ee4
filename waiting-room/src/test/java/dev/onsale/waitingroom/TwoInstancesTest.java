package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Two instances against one Redis")
class TwoInstancesTest {

  private static final long EVENT = 601;
  private static final int RATE_PER_MINUTE = 600;

  @Test
  @DisplayName("share one queue and one admission rate, and the other instance takes over when the leader dies")
  void oneQueueOneRateTakeover() throws Exception {
    OnsaleConfig configA = TestEnv.freshConfig(Map.of(
        "ONSALE_JOIN_RATE_PER_MINUTE", "100000",
        "ONSALE_ADMISSION_LEASE_MS", "3000"));
    OnsaleConfig configB = configA.with(Map.of("ONSALE_HTTP_PORT", String.valueOf(TestEnv.freePort())));
    try (TestRedis redis = new TestRedis(configA)) {
      WaitingRoomInstance a = WaitingRoomInstance.start(configA);
      String leaseKey = redis.keys.admissionLeader();
      String firstLeader = awaitLeader(redis, leaseKey);
      try (WaitingRoomInstance b = WaitingRoomInstance.start(configB)) {
        assertThat(b.port).isNotEqualTo(a.port);
        redis.publishEvent(EVENT, TestRedis.event(EVENT, "twin-night", 3_600_000, RATE_PER_MINUTE, 10_000));
        redis.publishAvailability(EVENT, 10_000, 0, 0);

        // One queue: numbers from both instances are unique and consecutive, tokens valid on both.
        Set<Long> numbers = new HashSet<>();
        String tokenFromA = null;
        for (int i = 0; i < 400; i++) {
          WaitingRoomInstance instance = i % 2 == 0 ? a : b;
          JsonObject joined = new JsonObject(instance.join(EVENT).body());
          numbers.add(joined.getLong("number"));
          if (tokenFromA == null) {
            tokenFromA = joined.getString("queueToken");
          }
        }
        assertThat(numbers).hasSize(400).allMatch(n -> n >= 1 && n <= 400);
        assertThat(new JsonObject(b.joinWithToken(EVENT, tokenFromA).body()).getLong("number")).isEqualTo(1);
        assertThat(b.statusJson(EVENT, tokenFromA).getLong("number")).isEqualTo(1);

        // One rate: two instances admit no faster than one would.
        redis.setMeta(EVENT, "saleStartsAt", System.currentTimeMillis());
        Thread.sleep(1_500);
        long start = System.currentTimeMillis();
        long servingAtStart = redis.serving(EVENT);
        Thread.sleep(5_000);
        double seconds = (System.currentTimeMillis() - start) / 1000.0;
        long admitted = redis.serving(EVENT) - servingAtStart;
        System.out.printf("two instances admitted %d in %.1f s at %d/min%n", admitted, seconds, RATE_PER_MINUTE);
        assertThat((double) admitted).isBetween(RATE_PER_MINUTE / 60.0 * (seconds - 2), RATE_PER_MINUTE / 60.0 * (seconds + 2));
        assertThat(redis.string("GET", leaseKey)).isEqualTo(firstLeader);

        // The leader (a) dies: it loses Redis and never renews or releases its lease.
        TestEnv.await(a.services.redis().close());
        long diedAt = System.currentTimeMillis();
        String newLeader = null;
        while (System.currentTimeMillis() - diedAt < 10_000) {
          String holder = redis.string("GET", leaseKey);
          if (holder != null && !holder.equals(firstLeader)) {
            newLeader = holder;
            break;
          }
          Thread.sleep(100);
        }
        long takeoverMillis = System.currentTimeMillis() - diedAt;
        System.out.printf("leader takeover after %d ms%n", takeoverMillis);
        assertThat(newLeader).as("a new leader within 10 s").isNotNull();
        long servingAfterTakeover = redis.serving(EVENT);
        Thread.sleep(3_000);
        assertThat(redis.serving(EVENT)).as("the survivor keeps admitting").isGreaterThan(servingAfterTakeover + 10);
        assertThat(b.meters.get("onsale.queue.admitted").tag("event", String.valueOf(EVENT)).counter().count())
            .isPositive();
      } finally {
        a.close();
      }
    }
  }

  private static String awaitLeader(TestRedis redis, String leaseKey) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      String holder = redis.string("GET", leaseKey);
      if (holder != null) {
        return holder;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no instance took the admission lease");
  }
}
