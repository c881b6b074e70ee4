package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Random pre-queue")
class RandomPreQueueTest {

  private static final long EVENT = 501;

  @Test
  @DisplayName("the shuffle is a permutation of 1..P decided by the seed (computed independently here)")
  void shuffleIsPermutation() throws Exception {
    String seed = PreQueueShuffle.newSeed();
    PreQueueShuffle.Order order = PreQueueShuffle.order(seed, 1_000);
    assertThat(toList(order.numberAt())).containsExactlyInAnyOrderElementsOf(range(1, 1_000));
    assertThat(toList(order.numberAt())).isEqualTo(independentOrder(seed, 1_000));
    for (int position = 1; position <= 1_000; position++) {
      assertThat(order.positionOfNumber(order.numberAtPosition(position))).isEqualTo(position);
    }
    assertThat(order.numberAtPosition(1_001)).isEqualTo(1_001);
    // A different seed gives a different order (a fixed point of the shuffle would be suspicious).
    assertThat(toList(PreQueueShuffle.order(PreQueueShuffle.newSeed(), 1_000).numberAt())).isNotEqualTo(toList(order.numberAt()));
    assertThat(PreQueueShuffle.seedHash(seed)).isEqualTo(sha256Hex(seed));
  }

  @Test
  @DisplayName("the seed hash is public before the sale, the seed after it, and the places and admissions follow the verified shuffle")
  void publishedSeedVerifies() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of("ONSALE_JOIN_RATE_PER_MINUTE", "100000"));
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      Map<String, Object> meta = TestRedis.event(EVENT, "lottery-night", 600_000, 600, 10);
      meta.put("preQueue", "random");
      redis.publishEvent(EVENT, meta);
      redis.publishAvailability(EVENT, 1_000, 0, 0);

      int preQueue = 40;
      Map<Long, String> tokens = new HashMap<>();
      for (int i = 0; i < preQueue; i++) {
        JsonObject joined = new JsonObject(room.join(EVENT).body());
        tokens.put(joined.getLong("number"), joined.getString("queueToken"));
      }
      // Before the sale: the hash is published, the seed is not, and nobody has a place yet.
      JsonObject before = awaitSeedHash(room, tokens.get(1L));
      String seedHash = before.getString("seedHash");
      assertThat(before.getString("state")).isEqualTo("prequeue");
      assertThat(before.getValue("seed")).isNull();
      assertThat(before.getValue("position")).isNull();
      assertThat(new JsonObject(room.send(HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + EVENT + "/queue")))
          .GET()).body()).getString("seedHash")).isEqualTo(seedHash);

      redis.setMeta(EVENT, "saleStartsAt", System.currentTimeMillis());
      JsonObject after = awaitSeed(room, tokens.get(1L));
      String seed = after.getString("seed");
      assertThat(sha256Hex(seed)).isEqualTo(seedHash);
      assertThat(after.getLong("preQueueSize")).isEqualTo(preQueue);

      // Later arrivals queue behind the pre-queue in arrival order.
      for (int i = 0; i < 5; i++) {
        JsonObject joined = new JsonObject(room.join(EVENT).body());
        tokens.put(joined.getLong("number"), joined.getString("queueToken"));
      }

      // Everyone's queue position (serving + place, or admitted) matches the independent shuffle.
      List<Long> expected = independentOrder(seed, preQueue);
      Thread.sleep(300);
      long serving = redis.serving(EVENT);
      Map<Long, Long> positionOf = new HashMap<>();
      for (Map.Entry<Long, String> buyer : tokens.entrySet()) {
        JsonObject status = room.statusJson(EVENT, buyer.getValue());
        if (status.getValue("position") != null && "waiting".equals(status.getString("state"))) {
          positionOf.put(buyer.getKey(), status.getLong("position") + status.getLong("serving"));
        }
      }
      for (Map.Entry<Long, Long> placed : positionOf.entrySet()) {
        long number = placed.getKey();
        long position = placed.getValue();
        long expectedPosition = number <= preQueue ? expected.indexOf(number) + 1 : number;
        assertThat(position).as("queue position of arrival %d", number).isEqualTo(expectedPosition);
      }
      assertThat(positionOf.size()).isGreaterThan(20);

      // The admitted buyers are exactly the first ones of the shuffled order.
      Thread.sleep(1_500);
      serving = redis.serving(EVENT);
      assertThat(serving).isPositive();
      for (long position = 1; position <= preQueue; position++) {
        long number = expected.get((int) position - 1);
        String state = room.statusJson(EVENT, tokens.get(number)).getString("state");
        if (position <= serving - 2) {
          assertThat(state).as("arrival %d at position %d", number, position).isEqualTo("admitted");
        } else if (position > redis.serving(EVENT) + 15) {
          assertThat(state).as("arrival %d at position %d", number, position).isEqualTo("waiting");
        }
      }
    }
  }

  private static JsonObject awaitSeedHash(WaitingRoomInstance room, String token) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      JsonObject status = room.statusJson(EVENT, token);
      if (status.getString("seedHash") != null) {
        return status;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no seed hash was published");
  }

  private static JsonObject awaitSeed(WaitingRoomInstance room, String token) throws InterruptedException {
    for (int i = 0; i < 50; i++) {
      JsonObject status = room.statusJson(EVENT, token);
      if (status.getString("seed") != null) {
        return status;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the seed was not revealed after the sale start");
  }

  /** The documented algorithm, written again from its description (not calling the production code). */
  static List<Long> independentOrder(String seed, int size) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    List<String[]> keyed = new ArrayList<>();
    for (long n = 1; n <= size; n++) {
      String hex = HexFormat.of().formatHex(sha.digest((seed + ":" + n).getBytes(StandardCharsets.US_ASCII)));
      keyed.add(new String[] {hex.substring(0, 16), String.valueOf(n)});
    }
    keyed.sort((a, b) -> {
      int byKey = a[0].compareTo(b[0]);
      return byKey != 0 ? byKey : Long.compare(Long.parseLong(a[1]), Long.parseLong(b[1]));
    });
    List<Long> order = new ArrayList<>();
    keyed.forEach(k -> order.add(Long.parseLong(k[1])));
    return order;
  }

  static String sha256Hex(String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII)));
  }

  private static List<Long> toList(int[] values) {
    List<Long> list = new ArrayList<>();
    for (int v : values) {
      list.add((long) v);
    }
    return list;
  }

  private static List<Long> range(long from, long to) {
    List<Long> numbers = new ArrayList<>();
    for (long n = from; n <= to; n++) {
      numbers.add(n);
    }
    return numbers;
  }
}
