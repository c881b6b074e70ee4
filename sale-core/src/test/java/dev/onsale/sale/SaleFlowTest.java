package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A buyer's sale")
class SaleFlowTest {

  static SaleServer server;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
    // Every answer this suite gets must be one the OpenAPI document promises.
    server.http.checkedAgainst(ApiContract.fromClasspath());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("reserve then order sells the tickets once and queues their PDFs, mail and webhook")
  void reserveAndOrder() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-order", 10, 5));
    long eventId = event.getLong("id");
    long categoryA = event.getJsonArray("categories").getJsonObject(0).getLong("id");

    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(categoryA, 3), Map.of());
    assertThat(hold.status()).isEqualTo(201);
    assertThat(hold.json().getJsonArray("tickets")).hasSize(3);
    assertThat(hold.json().getString("expiresAt")).isNotBlank();
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(3);

    Answer order = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer("Ada Lovelace"), Map.of());
    assertThat(order.status()).isEqualTo(201);
    String code = order.json().getString("code");
    String secret = order.json().getString("secret");
    assertThat(order.json().getString("status")).isEqualTo("pending");
    assertThat(order.json().getLong("totalCents")).isEqualTo(3000);
    assertThat(server.stats(eventId).getLong("pending")).isEqualTo(3);
    assertThat(server.pay(order.json()).getString("result")).isEqualTo("paid");

    JsonObject stats = server.stats(eventId);
    assertThat(stats.getLong("sold")).isEqualTo(3);
    assertThat(stats.getLong("held")).isZero();
    assertThat(stats.getLong("available")).isEqualTo(12);
    assertThat(stats.getLong("orders")).isEqualTo(1);

    Answer shown = server.http.get("/api/v1/orders/" + code + "?secret=" + secret);
    assertThat(shown.status()).isEqualTo(200);
    assertThat(shown.json().getJsonArray("tickets")).hasSize(3);
    assertThat(shown.json().getJsonArray("tickets").getJsonObject(0).getValue("pdfUrl")).isNull();
    assertThat(server.http.get("/api/v1/orders/" + code + "?secret=wrong").status()).isEqualTo(404);
    assertThat(server.http.get("/api/v1/orders/" + code).status()).isEqualTo(404);

    List<String> jobs = new ArrayList<>();
    for (Row row : server.sql("SELECT queue || ':' || type AS job FROM outbox WHERE payload->>'orderCode' = $1 ORDER BY id", code)) {
      jobs.add(row.getString("job"));
    }
    assertThat(jobs).containsExactly("webhooks:order.created", "tickets:ticket.pdf", "tickets:ticket.pdf",
        "tickets:ticket.pdf", "mail:order.confirmation", "webhooks:order.paid");

    Answer again = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer("Ada Lovelace"), Map.of());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.error()).isEqualTo("reservation_ordered");
  }

  @Test
  @DisplayName("an expired hold is claimable again at once, and ordering on it answers 410")
  void holdExpiry() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-expiry", 2));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");

    Answer first = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of());
    assertThat(first.status()).isEqualTo(201);
    Answer blocked = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of());
    assertThat(blocked.status()).isEqualTo(409);
    assertThat(blocked.error()).isEqualTo("sold_out");

    server.expireHold(first.json().getString("id"));
    assertThat(server.stats(eventId).getLong("available")).isEqualTo(2);

    Answer second = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of());
    assertThat(second.status()).isEqualTo(201);
    assertThat(ids(second.json().getJsonArray("tickets"))).isEqualTo(ids(first.json().getJsonArray("tickets")));

    Answer late = server.http.post(Holds.orderPath(first.json()),
        TestEvents.buyer("Late Buyer"), Map.of());
    assertThat(late.status()).isEqualTo(410);
    assertThat(late.error()).isEqualTo("hold_expired");
    assertThat(server.sql("SELECT count(*) FROM orders").iterator().next().getLong(0))
        .as("no partial order left behind").isZero().isNotNegative();
  }

  @Test
  @DisplayName("the same Idempotency-Key twice gives one reservation and the same body")
  void idempotentReservation() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-idem", 10));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    Map<String, String> key = Map.of("Idempotency-Key", "buyer-7-attempt-1");

    Answer first = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), key);
    Answer second = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), key);

    assertThat(first.status()).isEqualTo(201);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(second.headers().get("Idempotent-Replayed")).isEqualTo("true");
    assertThat(server.sql("SELECT count(*) FROM reservations WHERE event_id = $1", eventId).iterator().next().getLong(0))
        .isEqualTo(1);
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(2);
  }

  @Test
  @DisplayName("releasing a hold frees its tickets at once")
  void release() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-release", 3));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 3), Map.of());

    Answer released = server.http.delete(Holds.releasePath(hold.json()), Map.of());

    assertThat(released.status()).isEqualTo(200);
    assertThat(server.stats(eventId).getLong("available")).isEqualTo(3);
    assertThat(server.http.delete(Holds.releasePath(hold.json()), Map.of()).status()).isEqualTo(410);
    Answer order = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer("Too Late"), Map.of());
    assertThat(order.status()).isEqualTo(410);
  }

  @Test
  @DisplayName("with the waiting room off, only the secret of the reserve answer orders or releases a hold")
  void onlyTheSecretOrdersOrReleases() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-secret", 5));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    JsonObject hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of())
        .json();
    String id = hold.getString("id");
    assertThat(hold.getString("secret")).hasSize(32);
    JsonObject other = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of())
        .json();
    assertThat(other.getString("secret")).isNotEqualTo(hold.getString("secret"));
    String base = "/api/v1/reservations/" + id;
    JsonObject unknown = server.http.post("/api/v1/reservations/" + UUID.randomUUID() + "/order", TestEvents.buyer("B"),
        Map.of()).json();

    for (Answer refused : List.of(
        server.http.post(base + "/order", TestEvents.buyer("Buyer B"), Map.of()),
        server.http.post(base + "/order?secret=" + other.getString("secret"), TestEvents.buyer("Buyer B"), Map.of()),
        server.http.post(base + "/order?secret=", TestEvents.buyer("Buyer B"), Map.of()),
        server.http.post(base + "/order", TestEvents.buyer("Buyer B"),
            Map.of("Authorization", "Bearer " + server.services.tokens().admissionToken(eventId, 1, 300))),
        server.http.delete(base, Map.of()),
        server.http.delete(base + "?secret=" + other.getString("secret"), Map.of()))) {
      assertThat(refused.status()).as("%s", refused.raw()).isEqualTo(404);
      assertThat(refused.json()).as("the same answer as an unknown reservation").isEqualTo(unknown);
    }
    assertThat(server.sql("SELECT status FROM reservations WHERE id = $1", UUID.fromString(id)).iterator().next()
        .getString(0)).as("nothing changed").isEqualTo("active");
    assertThat(server.sql("SELECT count(*) FROM orders WHERE event_id = $1", eventId).iterator().next().getLong(0)).isZero();
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(3);

    assertThat(server.http.delete(Holds.releasePath(other), Map.of()).status()).isEqualTo(200);
    Answer ordered = server.http.post(Holds.orderPath(hold), TestEvents.buyer("Buyer A"), Map.of());
    assertThat(ordered.status()).as("%s", ordered.raw()).isEqualTo(201);
    assertThat(server.stats(eventId).getLong("pending")).isEqualTo(2);
  }

  @Test
  @DisplayName("a cancelled order's tickets return to sale with new secrets")
  void cancellation() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-cancel", 2));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of());
    Answer order = server.http.post(Holds.orderPath(hold.json()),
        TestEvents.buyer("Grace Hopper"), Map.of());
    String code = order.json().getString("code");
    server.pay(order.json());
    List<String> soldSecrets = secrets(code);

    Answer cancelled = server.http.post("/api/v1/admin/orders/" + code + "/cancel", new JsonObject(), server.admin());

    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(server.stats(eventId).getLong("available")).isEqualTo(2);
    assertThat(server.stats(eventId).getLong("sold")).isZero();
    List<String> newSecrets = new ArrayList<>();
    for (Row row : server.sql("SELECT secret FROM tickets WHERE category_id = $1 ORDER BY id", category)) {
      newSecrets.add(row.getString("secret"));
    }
    assertThat(newSecrets).hasSize(2).doesNotContainAnyElementsOf(soldSecrets);
    assertThat(server.http.get("/api/v1/orders/" + code + "?secret=" + order.json().getString("secret")).json()
        .getString("status")).isEqualTo("cancelled");
    assertThat(server.http.post("/api/v1/admin/orders/" + code + "/cancel", new JsonObject(), server.admin()).status())
        .isEqualTo(409);
    assertThat(server.sql("SELECT count(*) FROM outbox WHERE type = 'tickets.cleanup'").iterator().next().getLong(0))
        .isEqualTo(1);

    Answer resold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of());
    assertThat(resold.status()).isEqualTo(201);
  }

  @Test
  @DisplayName("capacity grows with new ticket rows and never shrinks below what is sold or held")
  void capacityChanges() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-capacity", 4));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 3), Map.of());

    JsonObject grow = new JsonObject().put("categories", new JsonArray().add(new JsonObject().put("id", category).put("capacity", 10)));
    assertThat(server.http.patch("/api/v1/admin/events/" + eventId, grow, server.admin()).status()).isEqualTo(200);
    assertThat(server.stats(eventId).getLong("capacity")).isEqualTo(10);

    JsonObject shrinkTooFar = new JsonObject().put("categories", new JsonArray().add(new JsonObject().put("id", category).put("capacity", 2)));
    Answer refused = server.http.patch("/api/v1/admin/events/" + eventId, shrinkTooFar, server.admin());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.error()).isEqualTo("capacity_below_sold");
    assertThat(server.stats(eventId).getLong("capacity")).isEqualTo(10);

    JsonObject shrink = new JsonObject().put("categories", new JsonArray().add(new JsonObject().put("id", category).put("capacity", 3)));
    assertThat(server.http.patch("/api/v1/admin/events/" + eventId, shrink, server.admin()).status()).isEqualTo(200);
    JsonObject stats = server.stats(eventId);
    assertThat(stats.getLong("capacity")).isEqualTo(3);
    assertThat(stats.getLong("held")).isEqualTo(3);
    assertThat(stats.getLong("available")).isZero();
  }

  @Test
  @DisplayName("pausing stops reservations with a precise error, and resuming restarts them")
  void pauseAndResume() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-pause", 5));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    server.http.patch("/api/v1/admin/events/" + eventId, new JsonObject().put("paused", true), server.admin());
    awaitSetting(eventId, true);
    Answer paused = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of());
    assertThat(paused.status()).isEqualTo(409);
    assertThat(paused.error()).isEqualTo("sale_paused");

    server.http.patch("/api/v1/admin/events/" + eventId, new JsonObject().put("paused", false), server.admin());
    awaitSetting(eventId, false);
    assertThat(server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of()).status())
        .isEqualTo(201);
  }

  @Test
  @DisplayName("a pause bites at once: the very next reservation is refused, alone or batched, before any cache expires")
  void pauseBitesAtOnce() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-pause-now", 50));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    // Warm every event loop's cache with the open sale first.
    for (int i = 0; i < 4; i++) {
      Answer hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of());
      assertThat(hold.status()).isEqualTo(201);
    }
    assertThat(server.http.patch("/api/v1/admin/events/" + eventId, new JsonObject().put("paused", true), server.admin()).status())
        .isEqualTo(200);
    List<io.vertx.core.Future<Answer>> tries = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      tries.add(server.http.sendJson(io.vertx.core.http.HttpMethod.POST, "/api/v1/events/" + eventId + "/reservations",
          TestEvents.items(category, 1), Map.of()));
    }
    dev.onsale.common.testing.TestEnv.await(io.vertx.core.Future.join(tries));
    for (io.vertx.core.Future<Answer> t : tries) {
      assertThat(t.result().status()).isEqualTo(409);
      assertThat(t.result().error()).isEqualTo("sale_paused");
    }
    assertThat(server.stats(eventId).getLong("held")).isEqualTo(4);
  }

  @Test
  @DisplayName("releasing a hold that has run out is 410, before and after the sweeper marks it")
  void releasingALapsedHold() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-release-lapsed", 3));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    JsonObject hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1), Map.of())
        .json();
    String id = hold.getString("id");
    server.expireHold(id);
    assertThat(server.http.delete(Holds.releasePath(hold), Map.of()).status()).as("not swept yet").isEqualTo(410);
    server.sql("UPDATE reservations SET status = 'expired' WHERE id = $1", java.util.UUID.fromString(id));
    assertThat(server.http.delete(Holds.releasePath(hold), Map.of()).status()).as("swept").isEqualTo(410);
  }

  /** Event settings are cached for a second per event loop; wait until every loop has seen the change. */
  private static void awaitSetting(long eventId, boolean paused) {
    long deadline = System.currentTimeMillis() + 5000;
    int seen = 0;
    while (seen < 4 && System.currentTimeMillis() < deadline) {
      boolean open = server.http.get("/api/v1/events/" + eventId).json().getBoolean("saleOpen");
      seen = open == !paused ? seen + 1 : 0;
      sleep(300);
    }
  }

  @Test
  @DisplayName("the claim walks the partial index of free tickets, never the whole table")
  void claimPlanUsesPartialIndex() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-plan", 20000));
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    server.sql("ANALYZE tickets");
    StringBuilder plan = new StringBuilder();
    String explain = "EXPLAIN SELECT f.id FROM tickets f WHERE f.category_id = " + category
        + " AND f.status = 'open' AND f.held_until < now() ORDER BY f.held_until LIMIT 2 FOR UPDATE SKIP LOCKED";
    for (Row row : server.sql(explain)) {
      plan.append(row.getString(0)).append('\n');
    }
    assertThat(plan.toString()).contains("Index Scan using tickets_free").doesNotContain("Seq Scan");
    String claim = server.sql("SELECT pg_get_functiondef('free_tickets'::regproc)").iterator().next().getString(0);
    assertThat(claim).contains("enable_seqscan TO 'off'").contains("ORDER BY f.held_until").contains("FOR UPDATE SKIP LOCKED");
  }

  @Test
  @DisplayName("every claim (a reservation, a batch of them, a late payment's tickets) takes its rows from the one claim statement")
  void everyClaimUsesTheOneClaimStatement() {
    for (String claimer : List.of("reserve_tickets", "reserve_batch", "claim_for_late_order")) {
      String function = server.sql("SELECT pg_get_functiondef('" + claimer + "'::regproc)").iterator().next().getString(0);
      assertThat(function).as(claimer).contains("free_tickets(").doesNotContain("SKIP LOCKED").doesNotContain("enable_seqscan");
    }
  }

  @Test
  @DisplayName("the invariant checker finds a ticket sold without its order")
  void invariantCheckerFindsCorruption() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-invariants", 3));
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    assertThat(server.http.get("/api/v1/admin/invariants", server.admin()).json().getBoolean("ok")).isTrue();
    server.sql("UPDATE tickets SET status = 'sold' WHERE id = (SELECT min(id) FROM tickets WHERE category_id = $1)", category);
    JsonObject report = server.http.get("/api/v1/admin/invariants", server.admin()).json();
    server.sql("UPDATE tickets SET status = 'open' WHERE category_id = $1", category);
    assertThat(report.getBoolean("ok")).isFalse();
    assertThat(report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getLong("violations") > 0).map(c -> c.getString("name")))
        .containsExactly("every sold ticket belongs to a paid order");
  }

  @Test
  @DisplayName("the sweeper returns long-expired holds to plain availability")
  void sweeperTidiesExpiredHolds() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-sweep", 2));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    String hold = server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 2), Map.of())
        .json().getString("id");
    server.sql("UPDATE tickets SET held_until = now() - interval '1 minute' WHERE reservation_id = $1", java.util.UUID.fromString(hold));
    server.sql("UPDATE reservations SET expires_at = now() - interval '1 minute' WHERE id = $1", java.util.UUID.fromString(hold));

    long deadline = System.currentTimeMillis() + 15_000;
    String status = "active";
    while (!"expired".equals(status) && System.currentTimeMillis() < deadline) {
      sleep(250);
      status = server.sql("SELECT status FROM reservations WHERE id = $1", java.util.UUID.fromString(hold)).iterator().next().getString(0);
    }
    assertThat(status).isEqualTo("expired");
    assertThat(server.sql("SELECT count(*) FROM tickets WHERE reservation_id IS NOT NULL AND category_id = $1", category)
        .iterator().next().getLong(0)).isZero();
    assertThat(server.stats(eventId).getLong("available")).isEqualTo(2);
  }

  @Test
  @DisplayName("the schedule and availability are published to Redis for the waiting room")
  void publishesForTheWaitingRoom() {
    JsonObject event = server.createEvent(TestEvents.onSale("flow-publish", 7).put("waitingRoom", "on"));
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    var keys = server.services.keys();
    var redis = server.services.redisApi();

    var meta = dev.onsale.common.testing.TestEnv.await(redis.hgetall(keys.event(eventId).meta()));
    assertThat(meta.get("slug").toString()).isEqualTo("flow-publish");
    assertThat(meta.get("waitingRoom").toString()).isEqualTo("on");
    assertThat(meta.get("saleStartsAt").toLong()).isEqualTo(java.time.Instant.parse(event.getString("saleStartsAt")).toEpochMilli());
    assertThat(dev.onsale.common.testing.TestEnv.await(redis.get(keys.slug("flow-publish"))).toLong()).isEqualTo(eventId);

    server.http.post("/api/v1/events/" + eventId + "/reservations", TestEvents.items(category, 1),
        server.admit(eventId, 1));
    long deadline = System.currentTimeMillis() + 5000;
    long held = 0;
    while (held != 1 && System.currentTimeMillis() < deadline) {
      sleep(100);
      var availability = dev.onsale.common.testing.TestEnv.await(redis.hgetall(keys.event(eventId).availability()));
      held = availability.containsKey("held") ? availability.get("held").toLong() : -1;
    }
    var availability = dev.onsale.common.testing.TestEnv.await(redis.hgetall(keys.event(eventId).availability()));
    assertThat(held).isEqualTo(1);
    assertThat(availability.get("available").toLong()).isEqualTo(6);
    assertThat(availability.get("cat:" + category).toLong()).isEqualTo(6);
  }

  private List<String> secrets(String code) {
    List<String> secrets = new ArrayList<>();
    for (Row row : server.sql("SELECT ot.secret FROM order_tickets ot JOIN orders o ON o.id = ot.order_id WHERE o.code = $1", code)) {
      secrets.add(row.getString("secret"));
    }
    return secrets;
  }

  private static List<Long> ids(JsonArray tickets) {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < tickets.size(); i++) {
      ids.add(tickets.getJsonObject(i).getLong("id"));
    }
    ids.sort(Long::compare);
    return ids;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
