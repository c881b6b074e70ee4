package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Many buyers at once")
class ConcurrentReservationTest {

  static SaleServer server;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A request for tickets in both categories: claimed together, all or none. */
  private static JsonObject bothCategories(JsonArray categories, int each) {
    return new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", categories.getJsonObject(0).getLong("id")).put("quantity", each))
        .add(new JsonObject().put("categoryId", categories.getJsonObject(1).getLong("id")).put("quantity", each)));
  }

  @Test
  @DisplayName("2,000 concurrent reservations of 1-4 tickets for 500 tickets never oversell (coalesced claims)")
  void neverOversell() {
    JsonObject event = server.createEvent(TestEvents.free(TestEvents.onSale("rush", 300, 200)));
    long eventId = event.getLong("id");
    JsonArray categories = event.getJsonArray("categories");
    Random random = new Random(42);
    List<Future<Answer>> attempts = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      long category = categories.getJsonObject(random.nextInt(2)).getLong("id");
      int quantity = 1 + random.nextInt(4);
      JsonObject request = i % 10 == 0
          ? bothCategories(categories, 1 + random.nextInt(2))
          : TestEvents.items(category, quantity);
      attempts.add(server.http.sendJson(HttpMethod.POST, "/api/v1/events/" + eventId + "/reservations", request, Map.of()));
    }
    TestEnv.await(Future.join(attempts));

    Set<Long> reservedTickets = new HashSet<>();
    int created = 0;
    int soldOut = 0;
    List<JsonObject> orderable = new ArrayList<>();
    for (Future<Answer> attempt : attempts) {
      Answer answer = attempt.result();
      assertThat(answer.status()).as("every attempt is a 201 or a 409: %s", answer.raw()).isIn(201, 409);
      if (answer.status() == 201) {
        created++;
        JsonArray tickets = answer.json().getJsonArray("tickets");
        for (int t = 0; t < tickets.size(); t++) {
          assertThat(reservedTickets.add(tickets.getJsonObject(t).getLong("id"))).as("a ticket in two reservations").isTrue();
        }
        if (created % 3 == 0) {
          orderable.add(answer.json());
        }
      } else {
        assertThat(answer.error()).isEqualTo("sold_out");
        soldOut++;
      }
    }
    assertThat(reservedTickets.size()).isLessThanOrEqualTo(500);
    assertThat(created + soldOut).isEqualTo(2000);

    List<Future<Answer>> orders = new ArrayList<>();
    for (JsonObject reservation : orderable) {
      orders.add(server.http.sendJson(HttpMethod.POST, Holds.orderPath(reservation),
          TestEvents.buyer("Buyer " + reservation.getString("id").substring(0, 8)), Map.of()));
    }
    TestEnv.await(Future.join(orders));
    orders.forEach(o -> assertThat(o.result().status()).isEqualTo(201));

    JsonObject stats = server.stats(eventId);
    assertThat(stats.getLong("held") + stats.getLong("sold")).isEqualTo(reservedTickets.size());
    assertThat(stats.getLong("held") + stats.getLong("sold") + stats.getLong("available")).isEqualTo(500);
    for (int c = 0; c < 2; c++) {
      assertThat(stats.getJsonArray("categories").getJsonObject(c).getLong("available"))
          .as("demand far above supply leaves fewer tickets than the largest request")
          .isLessThan(4);
    }
    Row holds = server.sql("""
        SELECT (SELECT coalesce(sum(ticket_count), 0) FROM reservations WHERE status = 'active') AS promised,
               (SELECT count(*) FROM tickets WHERE reservation_id IS NOT NULL AND status = 'open') AS held_rows""").iterator().next();
    assertThat(holds.getLong("promised") + stats.getLong("sold")).as("every reservation holds exactly its tickets")
        .isEqualTo(reservedTickets.size());
    JsonObject invariants = server.http.get("/api/v1/admin/invariants", server.admin()).json();
    assertThat(invariants.getBoolean("ok")).as(invariants.encodePrettily()).isTrue();
    Row doubles = server.sql("""
        SELECT (SELECT count(*) FROM (SELECT ticket_id FROM order_tickets WHERE active GROUP BY ticket_id HAVING count(*) > 1) d) AS doubly_sold,
               (SELECT count(*) FROM tickets WHERE status = 'sold' AND order_id IS NULL) AS orphans""").iterator().next();
    assertThat(doubles.getLong("doubly_sold")).isZero();
    assertThat(doubles.getLong("orphans")).isZero();
  }
}
