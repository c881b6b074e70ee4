package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.testing.Admissions;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The sale core running for real over HTTP, on its own database and key prefix. */
final class SaleServer implements AutoCloseable {

  final OnsaleConfig config;
  final Vertx vertx;
  final Services services;
  final TestHttp http;

  private SaleServer(OnsaleConfig config) {
    this.config = config;
    Migrations.migrate(config.pgUrl());
    this.vertx = Vertx.vertx();
    this.services = TestServices.of(vertx, config);
    await(TestServices.deployWeb(services, 2, List.of(SaleCore::webModule)));
    await(SaleCore.deploy(services));
    this.http = new TestHttp(config.httpPort());
  }

  static SaleServer start() {
    return new SaleServer(TestEnv.freshConfig());
  }

  static SaleServer start(Map<String, String> overrides) {
    return new SaleServer(TestEnv.freshConfig(overrides));
  }

  Map<String, String> admin() {
    return Map.of("Authorization", "Bearer " + config.adminToken());
  }

  /** An event on sale now, waiting room off, with one category per capacity given. */
  static JsonObject eventOnSale(String slug, int... capacities) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonArray categories = new JsonArray();
    for (int i = 0; i < capacities.length; i++) {
      categories.add(new JsonObject().put("name", "Category " + (char) ('A' + i)).put("priceCents", 1000 * (i + 1))
          .put("currency", "EUR").put("capacity", capacities[i]));
    }
    return new JsonObject()
        .put("name", "Test " + slug)
        .put("slug", slug)
        .put("venue", "Test Hall")
        .put("startsAt", now.plus(10, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 600)
        .put("maxActiveShoppers", 100)
        .put("maxTicketsPerOrder", 4)
        .put("holdSeconds", 300)
        .put("waitingRoom", "off")
        .put("categories", categories);
  }

  JsonObject createEvent(JsonObject body) {
    TestHttp.Answer answer = http.post("/api/v1/admin/events", body, admin());
    if (answer.status() != 201) {
      throw new AssertionError("create event: " + answer.status() + " " + answer.raw());
    }
    return answer.json();
  }

  /** The same event with every category free: its orders are paid the moment they are placed. */
  static JsonObject free(JsonObject event) {
    event.getJsonArray("categories").forEach(c -> ((JsonObject) c).put("priceCents", 0));
    return event;
  }

  /**
   * Pays a pending order as its buyer would with the test provider: opens {@code payment.url}
   * (which opens the session and redirects to the pay page), then presses "Pay".
   */
  JsonObject pay(JsonObject placedOrder) {
    String url = placedOrder.getJsonObject("payment").getString("url");
    TestHttp.Answer opened = http.get(url);
    if (opened.status() != 303 && opened.status() != 200) { // 200: the client followed to the pay page
      throw new AssertionError("open payment: " + opened.status() + " " + opened.raw());
    }
    String paymentId = placedOrder.getJsonObject("payment").getString("id");
    TestHttp.Answer paid = http.post("/api/v1/payments/test/" + paymentId + "/succeed", new JsonObject(), Map.of());
    if (paid.status() != 200) {
      throw new AssertionError("pay: " + paid.status() + " " + paid.raw());
    }
    return paid.json();
  }

  JsonObject stats(long eventId) {
    return http.get("/api/v1/admin/events/" + eventId + "/stats", admin()).json();
  }

  /** Where the maker of a hold (its reserve answer) orders it: with the hold's secret, when it has one. */
  static String orderPath(JsonObject hold) {
    return Holds.orderPath(hold);
  }

  /** Where the maker of a hold releases it. */
  static String releasePath(JsonObject hold) {
    return Holds.releasePath(hold);
  }

  /** An admission as the waiting room grants it (slot and token), as the Authorization header. */
  Map<String, String> admit(long eventId, long number) {
    return Map.of("Authorization", "Bearer "
        + Admissions.grantNow(services.redis(), services.keys(), services.tokens(), eventId, number, 300));
  }

  static JsonObject items(long categoryId, int quantity) {
    return new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", quantity)));
  }

  static JsonObject buyer(String name) {
    return new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", name.toLowerCase().replace(' ', '.') + "@example.org"));
  }

  RowSet<Row> sql(String sql, Object... params) {
    return await(services.pg().preparedQuery(sql).execute(Tuple.from(params)));
  }

  /**
   * Moves an order's payment window to have ended, as if its time had passed: with
   * {@code graceLeft} true its tickets are still kept (inside the grace), otherwise they are free.
   */
  void endPaymentWindow(String code, boolean graceLeft) {
    String keep = graceLeft ? "now() + interval '60 seconds'" : "now() - interval '1 second'";
    sql("UPDATE orders SET payment_expires_at = now() - interval '2 seconds', keep_until = " + keep + " WHERE code = $1", code);
    sql("UPDATE tickets SET held_until = " + keep + " WHERE status = 'open' AND order_id = (SELECT id FROM orders WHERE code = $1)", code);
    sql("UPDATE payments SET window_ends_at = now() - interval '2 seconds' WHERE order_id = (SELECT id FROM orders WHERE code = $1)", code);
  }

  /** Lets a hold run out, as if its time had passed. */
  void expireHold(String reservationId) {
    UUID id = UUID.fromString(reservationId);
    sql("UPDATE tickets SET held_until = now() - interval '1 second' WHERE reservation_id = $1", id);
    sql("UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = $1", id);
  }

  @Override
  public void close() {
    http.close();
    await(vertx.close());
  }
}
