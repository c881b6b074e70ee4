package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The public event's availability")
class PublicAvailabilityTest {

  static SaleServer server;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("counts tickets in baskets (held, or kept for a payment) apart from sold, so that the shop can say 'some may come back' instead of 'sold out'")
  void basketsAreNotSoldOut() throws InterruptedException {
    JsonObject event = server.createEvent(TestEvents.onSale("public-baskets", 2, 1));
    long eventId = event.getLong("id");
    long kept = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    long held = event.getJsonArray("categories").getJsonObject(1).getLong("id");
    JsonObject hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(kept, 2), Map.of())
        .json();
    assertThat(server.http.post(Holds.orderPath(hold), TestEvents.buyer("Ada Lovelace"), Map.of())
        .json().getString("status")).isEqualTo("pending");
    assertThat(server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(held, 1), Map.of()).status())
        .isEqualTo(201);

    JsonObject shown = publicEventOnceNothingIsFree(eventId);
    assertThat(shown.getBoolean("soldOut")).isFalse();
    assertThat(shown.getLong("held")).isEqualTo(1);
    assertThat(shown.getLong("pending")).isEqualTo(2);
    JsonObject first = shown.getJsonArray("categories").getJsonObject(0);
    JsonObject second = shown.getJsonArray("categories").getJsonObject(1);
    assertThat(first.getLong("available")).isZero();
    assertThat(first.getLong("pending")).isEqualTo(2);
    assertThat(first.getLong("held")).isZero();
    assertThat(second.getLong("held")).isEqualTo(1);
    assertThat(second.getLong("pending")).isZero();
  }

  /** The public answer is cached for a second: read it until it shows the holds. */
  private static JsonObject publicEventOnceNothingIsFree(long eventId) throws InterruptedException {
    JsonObject shown = null;
    for (int i = 0; i < 50; i++) {
      shown = server.http.get("/api/v1/events/" + eventId).json();
      if (shown.getLong("available") == 0) {
        return shown;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the public event still shows free tickets: " + shown);
  }
}
