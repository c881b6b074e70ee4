package dev.onsale.waitingroom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Placement pages of a random pre-queue")
class PlacementPagesTest {

  private static final long EVENT = 901;

  @Test
  @DisplayName("are refused before the draw, then give every number's place by the published seed, immutable and cacheable")
  void placesFollowTheSeed() throws Exception {
    OnsaleConfig config = TestEnv.freshConfig(Map.of());
    try (TestRedis redis = new TestRedis(config); WaitingRoomInstance room = WaitingRoomInstance.start(config).checkedAgainstTheDocument()) {
      Map<String, Object> meta = TestRedis.event(EVENT, "draw-night", 600_000, 60, 10);
      meta.put("preQueue", "random");
      redis.publishEvent(EVENT, meta);
      redis.publishAvailability(EVENT, 5_000, 0, 0);
      int preQueue = 1_200;
      // The pre-queue is filled directly in Redis (the join path is tested elsewhere).
      redis.cmd("SET", redis.keys.event(EVENT).arrivals(), preQueue);
      QueueStateTest.awaitState(room, EVENT, s -> s.getString("seedHash") != null);

      HttpResponse<String> early = placement(room, 0);
      assertThat(early.statusCode()).isEqualTo(409);
      assertThat(new JsonObject(early.body()).getString("error")).isEqualTo("placement_not_ready");
      assertThat(early.headers().firstValue("Cache-Control")).hasValue("no-store");

      redis.setMeta(EVENT, "saleStartsAt", System.currentTimeMillis());
      JsonObject state = QueueStateTest.awaitState(room, EVENT, s -> s.getString("seed") != null);
      String seed = state.getString("seed");
      assertThat(state.getLong("preQueueSize")).isEqualTo(preQueue);
      List<Long> expected = RandomPreQueueTest.independentOrder(seed, preQueue);

      HttpResponse<String> page0 = awaitPlacement(room, 0);
      assertThat(page0.headers().firstValue("Cache-Control")).hasValue("public, max-age=86400, immutable");
      assertThat(page0.headers().firstValue("Set-Cookie")).isEmpty();
      JsonObject first = new JsonObject(page0.body());
      assertThat(first.getLong("first")).isEqualTo(1);
      assertThat(first.getLong("last")).isEqualTo(1_000);
      assertThat(first.getString("seed")).isEqualTo(seed);
      JsonArray places = first.getJsonArray("places");
      assertThat(places).hasSize(1_000);
      for (int i = 0; i < 1_000; i++) {
        long number = i + 1;
        assertThat(places.getLong(i)).as("place of %d", number).isEqualTo(expected.indexOf(number) + 1L);
      }
      // The second page holds the pre-queue's tail and the later arrivals, who keep their order.
      JsonArray second = new JsonObject(awaitPlacement(room, 1).body()).getJsonArray("places");
      assertThat(second.getLong(0)).isEqualTo(expected.indexOf(1_001L) + 1L);
      assertThat(second.getLong(199)).isEqualTo(expected.indexOf(1_200L) + 1L);
      assertThat(second.getLong(200)).isEqualTo(1_201);

      // The same page again is the same bytes (and a 304 with its ETag).
      HttpResponse<String> again = placement(room, 0);
      assertThat(again.body()).isEqualTo(page0.body());
      HttpResponse<String> conditional = room.send(HttpRequest.newBuilder(URI.create(room.url(
          "/api/v1/events/" + EVENT + "/queue/placement/0"))).header("If-None-Match", page0.headers().firstValue("ETag").orElseThrow()).GET());
      assertThat(conditional.statusCode()).isEqualTo(304);

      for (String bad : List.of("-1", "x", "99999999999", "1.5")) {
        HttpResponse<String> refused = room.send(HttpRequest.newBuilder(URI.create(room.url(
            "/api/v1/events/" + EVENT + "/queue/placement/" + bad))).GET());
        assertThat(refused.statusCode()).as(bad).isEqualTo(400);
        assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("invalid_field");
      }
    }
  }

  private static HttpResponse<String> placement(WaitingRoomInstance room, long page) {
    return room.send(HttpRequest.newBuilder(URI.create(room.url("/api/v1/events/" + EVENT + "/queue/placement/" + page))).GET());
  }

  private static HttpResponse<String> awaitPlacement(WaitingRoomInstance room, long page) throws InterruptedException {
    HttpResponse<String> response = null;
    for (int i = 0; i < 50; i++) {
      response = placement(room, page);
      if (response.statusCode() == 200) {
        return response;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("placement page " + page + " never came: " + response.body());
  }
}
