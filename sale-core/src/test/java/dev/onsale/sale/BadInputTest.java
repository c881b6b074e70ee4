package dev.onsale.sale;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Bad input to the sale core")
class BadInputTest {

  static SaleServer server;
  static long eventId;
  static long categoryId;
  static String reservationId;
  static String orderCode;
  static String orderSecret;
  static String snapshot;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
    // Every answer this suite gets must be one the OpenAPI document promises.
    server.http.checkedAgainst(ApiContract.fromClasspath());
    JsonObject event = server.createEvent(SaleServer.eventOnSale("bad-input", 10));
    eventId = event.getLong("id");
    categoryId = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    reservationId = server.http.post("/api/v1/events/" + eventId + "/reservations", SaleServer.items(categoryId, 1), Map.of())
        .json().getString("id");
    JsonObject ordered = server.http.post("/api/v1/events/" + eventId + "/reservations", SaleServer.items(categoryId, 1), Map.of())
        .json();
    JsonObject order = server.http.post(SaleServer.orderPath(ordered), SaleServer.buyer("Known Buyer"), Map.of()).json();
    orderCode = order.getString("code");
    orderSecret = order.getString("secret");
    snapshot = snapshot();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Every row count and ticket state that a bad request must leave exactly as it was. */
  static String snapshot() {
    return server.sql("""
        SELECT (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM categories) || '/' ||
               (SELECT count(*) FROM tickets) || '/' || (SELECT count(*) FROM reservations) || '/' ||
               (SELECT count(*) FROM orders) || '/' || (SELECT count(*) FROM outbox) || '/' ||
               (SELECT string_agg(status || held_until::text || coalesce(reservation_id::text, '') || secret, ',' ORDER BY id) FROM tickets) || '/' ||
               (SELECT string_agg(name || admission_rate_per_minute || paused, ',' ORDER BY id) FROM events)""")
        .iterator().next().getString(0);
  }

  record Case(String name, HttpMethod method, String path, Buffer body, Map<String, String> headers) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    String events = "/api/v1/admin/events";
    String reserve = "/api/v1/events/" + eventId + "/reservations";
    String order = "/api/v1/reservations/" + reservationId + "/order";
    Map<String, String> admin = server.admin();
    JsonObject valid = SaleServer.eventOnSale("valid-slug", 5);
    List<Case> cases = new ArrayList<>();
    // organizer API
    cases.add(new Case("create without a token", HttpMethod.POST, events, valid.toBuffer(), Map.of()));
    cases.add(new Case("create with a wrong token", HttpMethod.POST, events, valid.toBuffer(), Map.of("Authorization", "Bearer nope")));
    cases.add(new Case("create with malformed JSON", HttpMethod.POST, events, Buffer.buffer("{\"name\": "), admin));
    cases.add(new Case("create with a JSON array", HttpMethod.POST, events, Buffer.buffer("[1,2]"), admin));
    cases.add(new Case("create with an empty body", HttpMethod.POST, events, Buffer.buffer(), admin));
    cases.add(new Case("create with a 2 MB body", HttpMethod.POST, events, Buffer.buffer("x".repeat(2 * 1024 * 1024)), admin));
    cases.add(new Case("create with non-UTF-8 bytes", HttpMethod.POST, events, Buffer.buffer(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}), admin));
    for (String field : List.of("name", "slug", "venue", "startsAt", "queueOpensAt", "saleStartsAt", "saleEndsAt",
        "admissionRatePerMinute", "maxActiveShoppers", "categories")) {
      JsonObject missing = valid.copy();
      missing.remove(field);
      cases.add(new Case("create without " + field, HttpMethod.POST, events, missing.toBuffer(), admin));
    }
    Map<String, Object> wrong = new HashMap<>();
    wrong.put("name", 42);
    wrong.put("slug", "Not A Slug!");
    wrong.put("venue", "");
    wrong.put("startsAt", "yesterday");
    wrong.put("saleEndsAt", "2000-01-01T00:00:00Z");
    wrong.put("admissionRatePerMinute", -5);
    wrong.put("maxActiveShoppers", 0);
    wrong.put("maxTicketsPerOrder", 1_000_000_000_000L);
    wrong.put("holdSeconds", 2.5);
    wrong.put("waitingRoom", "maybe");
    wrong.put("preQueue", "lottery");
    wrong.put("categories", new JsonArray());
    wrong.put("surprise", "extra field");
    wrong.forEach((field, value) -> cases.add(new Case("create with bad " + field, HttpMethod.POST, events,
        valid.copy().put(field, value).toBuffer(), admin)));
    for (Object capacity : List.<Object>of(0, -1, 1_000_001, "ten", 99999999999999999L)) {
      JsonObject body = valid.copy().put("categories", new JsonArray().add(new JsonObject()
          .put("name", "A").put("priceCents", 100).put("currency", "EUR").put("capacity", capacity)));
      cases.add(new Case("create with capacity " + capacity, HttpMethod.POST, events, body.toBuffer(), admin));
    }
    cases.add(new Case("create with two currencies", HttpMethod.POST, events, valid.copy().put("categories", new JsonArray()
        .add(new JsonObject().put("name", "A").put("priceCents", 100).put("currency", "EUR").put("capacity", 1))
        .add(new JsonObject().put("name", "B").put("priceCents", 100).put("currency", "USD").put("capacity", 1))).toBuffer(), admin));
    cases.add(new Case("create with a taken slug", HttpMethod.POST, events, SaleServer.eventOnSale("bad-input", 1).toBuffer(), admin));
    cases.add(new Case("create with SQL in the slug", HttpMethod.POST, events, valid.copy().put("slug", "x'; DROP TABLE tickets;--").toBuffer(), admin));
    cases.add(new Case("patch an unknown event", HttpMethod.PATCH, events + "/999999", new JsonObject().put("paused", true).toBuffer(), admin));
    cases.add(new Case("patch with a path traversal id", HttpMethod.PATCH, events + "/..%2F..%2Fetc", new JsonObject().put("paused", true).toBuffer(), admin));
    cases.add(new Case("patch with nothing", HttpMethod.PATCH, events + "/" + eventId, new JsonObject().toBuffer(), admin));
    cases.add(new Case("patch the slug", HttpMethod.PATCH, events + "/" + eventId, new JsonObject().put("slug", "other").toBuffer(), admin));
    cases.add(new Case("patch times out of order", HttpMethod.PATCH, events + "/" + eventId,
        new JsonObject().put("saleEndsAt", "2001-01-01T00:00:00Z").toBuffer(), admin));
    cases.add(new Case("patch an unknown category", HttpMethod.PATCH, events + "/" + eventId,
        new JsonObject().put("categories", new JsonArray().add(new JsonObject().put("id", 987654).put("capacity", 5))).toBuffer(), admin));
    cases.add(new Case("patch paused with a string", HttpMethod.PATCH, events + "/" + eventId, new JsonObject().put("paused", "yes").toBuffer(), admin));
    cases.add(new Case("stats of an unknown event", HttpMethod.GET, events + "/424242/stats", null, admin));
    cases.add(new Case("stats without a token", HttpMethod.GET, events + "/" + eventId + "/stats", null, Map.of()));
    cases.add(new Case("orders with a bad limit", HttpMethod.GET, events + "/" + eventId + "/orders?limit=-3", null, admin));
    cases.add(new Case("cancel an unknown order", HttpMethod.POST, "/api/v1/admin/orders/AAAAAAAAAAAA/cancel", null, admin));
    cases.add(new Case("cancel without a token", HttpMethod.POST, "/api/v1/admin/orders/" + orderCode + "/cancel", null, Map.of()));
    // buyer API
    cases.add(new Case("reserve with malformed JSON", HttpMethod.POST, reserve, Buffer.buffer("{items:"), Map.of()));
    cases.add(new Case("reserve with no items", HttpMethod.POST, reserve, new JsonObject().put("items", new JsonArray()).toBuffer(), Map.of()));
    cases.add(new Case("reserve with items as a string", HttpMethod.POST, reserve, new JsonObject().put("items", "all").toBuffer(), Map.of()));
    cases.add(new Case("reserve zero tickets", HttpMethod.POST, reserve, SaleServer.items(categoryId, 0).toBuffer(), Map.of()));
    cases.add(new Case("reserve negative tickets", HttpMethod.POST, reserve, SaleServer.items(categoryId, -2).toBuffer(), Map.of()));
    cases.add(new Case("reserve above the order limit", HttpMethod.POST, reserve, SaleServer.items(categoryId, 5).toBuffer(), Map.of()));
    cases.add(new Case("reserve a huge quantity", HttpMethod.POST, reserve, SaleServer.items(categoryId, Integer.MAX_VALUE).toBuffer(), Map.of()));
    cases.add(new Case("reserve an unknown category", HttpMethod.POST, reserve, SaleServer.items(999999, 1).toBuffer(), Map.of()));
    cases.add(new Case("reserve with a fractional quantity", HttpMethod.POST, reserve,
        new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", 1.5))).toBuffer(), Map.of()));
    cases.add(new Case("reserve a category twice", HttpMethod.POST, reserve, new JsonObject().put("items", new JsonArray()
        .add(new JsonObject().put("categoryId", categoryId).put("quantity", 1))
        .add(new JsonObject().put("categoryId", categoryId).put("quantity", 1))).toBuffer(), Map.of()));
    cases.add(new Case("reserve for an unknown event", HttpMethod.POST, "/api/v1/events/777777/reservations", SaleServer.items(categoryId, 1).toBuffer(), Map.of()));
    cases.add(new Case("reserve for a non-numeric event", HttpMethod.POST, "/api/v1/events/abc/reservations", SaleServer.items(categoryId, 1).toBuffer(), Map.of()));
    cases.add(new Case("reserve with a 2 MB body", HttpMethod.POST, reserve, Buffer.buffer("{\"items\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}"), Map.of()));
    cases.add(new Case("reserve with an overlong idempotency key", HttpMethod.POST, reserve, SaleServer.items(categoryId, 1).toBuffer(),
        Map.of("Idempotency-Key", "k".repeat(500))));
    cases.add(new Case("order without a buyer", HttpMethod.POST, order, new JsonObject().toBuffer(), Map.of()));
    cases.add(new Case("order with a bad e-mail", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "X").put("email", "not-an-email")).toBuffer(), Map.of()));
    cases.add(new Case("order with a 10,000 character name", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "N".repeat(10_000)).put("email", "a@example.org")).toBuffer(), Map.of()));
    cases.add(new Case("order with HTML in the name and a number e-mail", HttpMethod.POST, order, new JsonObject().put("buyer",
        new JsonObject().put("name", "<script>alert(1)</script>").put("email", 12)).toBuffer(), Map.of()));
    cases.add(new Case("order an unknown reservation", HttpMethod.POST, "/api/v1/reservations/" + java.util.UUID.randomUUID() + "/order",
        SaleServer.buyer("Nobody").toBuffer(), Map.of()));
    cases.add(new Case("order a malformed reservation id", HttpMethod.POST, "/api/v1/reservations/..%2Fetc%2Fpasswd/order",
        SaleServer.buyer("Nobody").toBuffer(), Map.of()));
    cases.add(new Case("release an unknown reservation", HttpMethod.DELETE, "/api/v1/reservations/" + java.util.UUID.randomUUID(), null, Map.of()));
    // someone else's reservation (waiting room off): without the secret its reserve answer gave, it is not there
    Buffer buyer = SaleServer.buyer("Not The Owner").toBuffer();
    String otherSecret = server.services.tokens().reservationSecret(java.util.UUID.randomUUID());
    cases.add(new Case("order a reservation without its secret", HttpMethod.POST, order, buyer, Map.of()));
    cases.add(new Case("order a reservation with another's secret", HttpMethod.POST, order + "?secret=" + otherSecret, buyer, Map.of()));
    cases.add(new Case("order a reservation with an admission token instead of its secret", HttpMethod.POST, order, buyer,
        Map.of("Authorization", "Bearer " + server.services.tokens().admissionToken(eventId, 1, 300))));
    cases.add(new Case("release a reservation without its secret", HttpMethod.DELETE, "/api/v1/reservations/" + reservationId, null, Map.of()));
    cases.add(new Case("release a reservation with a wrong secret", HttpMethod.DELETE,
        "/api/v1/reservations/" + reservationId + "?secret=" + otherSecret, null, Map.of()));
    cases.add(new Case("show an order without its secret", HttpMethod.GET, "/api/v1/orders/" + orderCode, null, Map.of()));
    cases.add(new Case("show an order with a wrong secret", HttpMethod.GET, "/api/v1/orders/" + orderCode + "?secret=00", null, Map.of()));
    cases.add(new Case("show an order with SQL in the code", HttpMethod.GET, "/api/v1/orders/'%20OR%201=1--?secret=x", null, Map.of()));
    cases.add(new Case("a ticket PDF with path traversal", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/..%2F..%2Fetc%2Fpasswd?secret=" + orderSecret, null, Map.of()));
    cases.add(new Case("a ticket PDF of another ticket", HttpMethod.GET,
        "/api/v1/orders/" + orderCode + "/tickets/1.pdf?secret=wrong", null, Map.of()));
    cases.add(new Case("an unknown path", HttpMethod.GET, "/api/v1/nothing-here", null, Map.of()));
    return cases.stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @DisplayName("gets a 4xx JSON error and changes nothing")
  void rejected(Case c) {
    Map<String, String> headers = new HashMap<>(c.headers());
    headers.putIfAbsent("Content-Type", "application/json");
    Answer answer = server.http.raw(c.method(), c.path(), c.body(), headers);
    assertThat(answer.status()).as("%s answered %s %s", c.name(), answer.status(), answer.raw()).isBetween(400, 499);
    assertThat(answer.headers().get("Content-Type")).startsWith("application/json");
    assertThat(answer.json().getString("error")).isNotBlank();
    assertThat(answer.json().getString("message")).isNotBlank();
    assertThat(snapshot()).as("the database is unchanged").isEqualTo(snapshot);
  }
}
