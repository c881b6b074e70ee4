package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FIFO admission")
class FifoAdmissionTest {

  private static final long EVENT = 401;
  private static final int BUYERS = 1_000;
  private static final int RATE_PER_MINUTE = 1_200;
  private static final int MAX_ACTIVE = 60;
  private static final int GRACE_SECONDS = 5;

  @Test
  @DisplayName("with 1,000 joins the admitted buyers are always exactly the first k numbers, within the rate and maxActiveShoppers")
  void firstComeFirstServed() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of(
        "ONSALE_JOIN_RATE_PER_MINUTE", "100000",
        "ONSALE_ADMISSION_GRACE_SECONDS", String.valueOf(GRACE_SECONDS)));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config)) {
      redis.publishEvent(EVENT, TestRedis.event(EVENT, "fifo-night", 3_600_000, RATE_PER_MINUTE, MAX_ACTIVE));
      redis.publishAvailability(EVENT, 5_000, 0, 0);
      Map<Long, String> tokens = joinAll(room);
      assertThat(tokens.keySet()).containsExactlyInAnyOrderElementsOf(range(1, BUYERS));
      assertThat(redis.serving(EVENT)).isZero();

      // The sale starts now.
      long saleStart = System.currentTimeMillis();
      redis.setMeta(EVENT, "saleStartsAt", saleStart);

      List<long[]> samples = new ArrayList<>();
      long lastFullCheck = 0;
      int fullChecks = 0;
      while (System.currentTimeMillis() - saleStart < 14_000) {
        long now = System.currentTimeMillis();
        long serving = redis.serving(EVENT);
        samples.add(new long[] {now, serving});
        assertThat(serving).isLessThanOrEqualTo(BUYERS);
        // Every live admission belongs to one of the first `serving` numbers, and never more than allowed.
        Response members = redis.cmd("ZRANGEBYSCORE", redis.keys.event(EVENT).activeShoppers(), "(" + now, "+inf");
        assertThat(members.size()).isLessThanOrEqualTo(MAX_ACTIVE);
        for (Response member : members) {
          assertThat(member.toLong()).isBetween(1L, redis.serving(EVENT));
        }
        if (now - lastFullCheck > 3_000) {
          lastFullCheck = now;
          fullChecks++;
          assertAdmittedArePrefix(room, tokens);
        }
        Thread.sleep(200);
      }
      assertThat(fullChecks).isGreaterThanOrEqualTo(4);
      assertAdmittedArePrefix(room, tokens);

      long served = redis.serving(EVENT);
      System.out.printf("FIFO: %d of %d admitted in 14 s (rate %d/min, maxActive %d, grace %d s), %d full checks%n",
          served, BUYERS, RATE_PER_MINUTE, MAX_ACTIVE, GRACE_SECONDS, fullChecks);
      // maxActiveShoppers binds: 60 slots, each lapsing after 5 s, allow ~12 per second after the first 60.
      assertThat(served).isGreaterThan(MAX_ACTIVE).isLessThan(BUYERS);
      assertRateNeverExceeded(samples);
      // The leader's counter matches what Redis says was admitted.
      assertThat(room.meters.get("onsale.queue.admitted").tag("event", String.valueOf(EVENT)).counter().count())
          .isEqualTo((double) redis.number("GET", redis.keys.event(EVENT).admittedTotal()));

      // A buyer far back sees a place that counts down from their number.
      JsonObject last = room.statusJson(EVENT, tokens.get((long) BUYERS));
      assertThat(last.getString("state")).isEqualTo("waiting");
      assertThat(last.getLong("position")).isBetween(BUYERS - redis.serving(EVENT) - 30, (long) BUYERS - served);
      assertThat(last.getLong("ahead")).isEqualTo(last.getLong("position") - 1);
      assertThat(last.getLong("etaSeconds")).isPositive();
    }
  }

  /** Polls every buyer's status, highest number first (so a rising counter cannot fake a gap). */
  private static void assertAdmittedArePrefix(WaitingRoomInstance room, Map<Long, String> tokens) {
    TreeSet<Long> admitted = new TreeSet<>();
    for (long n = BUYERS; n >= 1; n--) {
      JsonObject status = room.statusJson(EVENT, tokens.get(n));
      String state = status.getString("state");
      boolean hadTurn = "admitted".equals(state)
          || ("closed".equals(state) && "admission_ended".equals(status.getString("reason")));
      if (hadTurn) {
        admitted.add(n);
        if ("admitted".equals(state)) {
          assertThat(status.getString("admissionToken")).isNotBlank();
        }
      } else {
        assertThat(state).isIn("waiting", "prequeue");
      }
    }
    if (!admitted.isEmpty()) {
      assertThat(admitted.first()).isEqualTo(1);
      assertThat(admitted.last()).isEqualTo(admitted.size());
    }
  }

  /** Over any window of at least a second, admissions stay within the rate plus two ticks' worth. */
  private static void assertRateNeverExceeded(List<long[]> samples) {
    double perSecond = RATE_PER_MINUTE / 60.0;
    for (int i = 0; i < samples.size(); i++) {
      for (int j = i + 1; j < samples.size(); j++) {
        double seconds = (samples.get(j)[0] - samples.get(i)[0]) / 1000.0;
        if (seconds >= 1.0) {
          long admitted = samples.get(j)[1] - samples.get(i)[1];
          assertThat((double) admitted).as("admitted within %.1f s", seconds)
              .isLessThanOrEqualTo(perSecond * (seconds + 2));
        }
      }
    }
  }

  private static Map<Long, String> joinAll(WaitingRoomInstance room) throws Exception {
    Map<Long, String> tokens = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < BUYERS; i++) {
      pool.submit(() -> {
        JsonObject joined = new JsonObject(room.join(EVENT).body());
        tokens.put(joined.getLong("number"), joined.getString("queueToken"));
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
    return tokens;
  }

  private static List<Long> range(long from, long to) {
    List<Long> numbers = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      numbers.add(n);
    }
    return numbers;
  }
}
