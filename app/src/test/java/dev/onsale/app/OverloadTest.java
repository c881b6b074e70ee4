package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@DisplayName("Overload")
class OverloadTest {

  private static final Logger LOG = LoggerFactory.getLogger(OverloadTest.class);
  private static final int REQUESTS = 1500;

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "'one claim per request (PostgreSQL pool 2, wait queue 8)', 1, 100000",
      "'coalesced claims (PostgreSQL pool 2, batcher queue 16)', 64, 16",
  })
  @DisplayName("far more buyers than the pool can serve get fast 503s with Retry-After, never another 5xx")
  void shedsLoad(String name, String batchSize, String batcherQueue) {
    OnsaleConfig config = TestEnv.freshConfig(Map.of(
        "ONSALE_PG_POOL_SIZE", "2",
        "ONSALE_PG_WAIT_QUEUE", "8",
        "ONSALE_PG_WAIT_SECONDS", "2",
        "ONSALE_HTTP_INSTANCES", "2",
        "ONSALE_RESERVATION_BATCH_SIZE", batchSize,
        "ONSALE_RESERVATION_QUEUE_LIMIT", batcherQueue));
    OnsaleApp app = await(OnsaleApp.start(config));
    Vertx vertx = Vertx.vertx();
    try (TestHttp http = new TestHttp(app.port())) {
      JsonObject event = http.post("/api/v1/admin/events", eventBody(REQUESTS * 2), Map.of("Authorization",
          "Bearer " + config.adminToken())).json();
      long eventId = event.getLong("id");
      long categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
          new io.vertx.core.http.PoolOptions().setHttp1MaxSize(REQUESTS / 2).setMaxWaitQueueSize(-1));
      Map<String, Integer> outcomes = new TreeMap<>();
      Histogram served = new Histogram(60_000, 2);
      Histogram shed = new Histogram(60_000, 2);
      List<Future<Void>> all = new ArrayList<>();
      JsonObject items = new JsonObject().put("items", new JsonArray()
          .add(new JsonObject().put("categoryId", categoryId).put("quantity", 1)));
      for (int i = 0; i < REQUESTS; i++) {
        long started = System.nanoTime();
        all.add(client.post(app.port(), "127.0.0.1", "/api/v1/events/" + eventId + "/reservations")
            .timeout(60_000)
            .sendJsonObject(items)
            .map(r -> {
              long millis = Math.max(1, (System.nanoTime() - started) / 1_000_000);
              String retry = r.getHeader("Retry-After");
              String kind = r.statusCode() == 503 ? "503" + (retry != null && Integer.parseInt(retry) > 0 ? "+retry" : "-no-retry")
                  : String.valueOf(r.statusCode());
              synchronized (outcomes) {
                outcomes.merge(kind, 1, Integer::sum);
                (r.statusCode() == 201 ? served : shed).recordValue(Math.min(millis, 60_000));
              }
              return (Void) null;
            })
            .otherwise(e -> {
              synchronized (outcomes) {
                outcomes.merge("io " + e.getClass().getSimpleName(), 1, Integer::sum);
              }
              return null;
            }));
      }
      await(Future.join(all).otherwiseEmpty());
      LOG.info("Overload [{}]: {} requests -> {} | served p50 {} ms p99 {} ms max {} ms | 503 p50 {} ms p99 {} ms",
          name, REQUESTS, outcomes, served.getValueAtPercentile(50), served.getValueAtPercentile(99), served.getMaxValue(),
          shed.getValueAtPercentile(50), shed.getValueAtPercentile(99));
      assertThat(outcomes.keySet()).as("only 201 and 503 + Retry-After: %s", outcomes).containsOnly("201", "503+retry");
      assertThat(outcomes.get("503+retry")).as("some load was shed: %s", outcomes).isPositive();
      assertThat(outcomes.get("201")).as("some buyers were served: %s", outcomes).isPositive();
      JsonObject invariants = http.get("/api/v1/admin/invariants", Map.of("Authorization", "Bearer " + config.adminToken())).json();
      assertThat(invariants.getBoolean("ok")).as("%s", invariants).isTrue();
      long held = await(app.services().pg().query("SELECT count(*) FROM tickets WHERE reservation_id IS NOT NULL").execute())
          .iterator().next().getLong(0);
      assertThat(held).as("a hold for each 201 and none for a 503").isEqualTo(outcomes.get("201").longValue());
      client.close();
    } finally {
      await(vertx.close());
      await(app.stop());
    }
  }

  private static JsonObject eventBody(int capacity) {
    java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return new JsonObject()
        .put("name", "Overload").put("slug", "overload").put("venue", "Hall")
        .put("startsAt", now.plusSeconds(864000).toString()).put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString()).put("saleEndsAt", now.plusSeconds(86400).toString())
        .put("admissionRatePerMinute", 6000).put("maxActiveShoppers", 1000).put("maxTicketsPerOrder", 4)
        .put("holdSeconds", 300).put("waitingRoom", "off")
        .put("categories", new JsonArray().add(new JsonObject().put("name", "A").put("priceCents", 100)
            .put("currency", "EUR").put("capacity", capacity)));
  }
}
