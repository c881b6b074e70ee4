package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("More buyers than the database pool can take")
class OverloadTest {

  static SaleServer server;

  @BeforeAll
  static void start() {
    server = SaleServer.start(Map.of(
        "ONSALE_PG_POOL_SIZE", "1",
        "ONSALE_PG_WAIT_QUEUE", "2",
        "ONSALE_RESERVATION_BATCH_SIZE", "1"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("get a fast 503 with Retry-After past the bounded wait queue, and nothing is half done")
  void fastServiceUnavailable() {
    JsonObject event = server.createEvent(TestEvents.onSale("overload", 1000));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    List<Future<Answer>> attempts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      attempts.add(server.http.sendJson(HttpMethod.POST, "/api/v1/events/" + eventId + "/reservations",
          TestEvents.items(category, 1), Map.of()));
    }
    TestEnv.await(Future.join(attempts));

    int created = 0;
    int unavailable = 0;
    for (Future<Answer> attempt : attempts) {
      Answer answer = attempt.result();
      assertThat(answer.status()).as(answer.raw().toString()).isIn(201, 503);
      if (answer.status() == 503) {
        unavailable++;
        assertThat(answer.headers().get("Retry-After")).isNotBlank();
        assertThat(answer.error()).isEqualTo("overloaded");
      } else {
        created++;
      }
    }
    assertThat(unavailable).as("the wait queue is bounded").isPositive();
    assertThat(created).as("the pool still serves").isPositive();
    JsonObject stats = server.stats(eventId);
    assertThat(stats.getLong("held")).as("every 201 holds its ticket, every 503 holds none").isEqualTo(created);
  }
}
