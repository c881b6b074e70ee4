package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.Services;
import dev.onsale.common.testing.Admissions;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The sale core running for real over HTTP, on its own database and key prefix. Published in the
 * sale core's test-jar: other modules' tests start the sale core with {@link #deploy}.
 */
public final class SaleServer implements AutoCloseable {

  final OnsaleConfig config;
  final Vertx vertx;
  final Services services;
  final TestHttp http;

  private SaleServer(OnsaleConfig config) {
    this.config = config;
    Migrations.migrate(config.pgUrl());
    this.vertx = Vertx.vertx();
    this.services = TestServices.of(vertx, config);
    await(deploy(services, 2));
    this.http = new TestHttp(config.httpPort());
  }

  /** Deploys the sale core on these services as the launcher's web role does: its routes on {@code webInstances} web verticles, then its verticles. */
  public static Future<Void> deploy(Services services, int webInstances) {
    return TestServices.deployWeb(services, webInstances, List.of(SaleCore::webModule))
        .compose(ignored -> SaleCore.deploy(services))
        .mapEmpty();
  }

  static SaleServer start() {
    return new SaleServer(TestEnv.freshConfig());
  }

  static SaleServer start(Map<String, String> overrides) {
    return new SaleServer(TestEnv.freshConfig(overrides));
  }

  Map<String, String> admin() {
    return TestEvents.admin(config.adminToken());
  }

  JsonObject createEvent(JsonObject body) {
    return TestEvents.create(http, admin(), body);
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

  /** An admission as the waiting room grants it (slot and token), as the Authorization header. */
  Map<String, String> admit(long eventId, long number) {
    return Map.of("Authorization", "Bearer "
        + Admissions.grantNow(services.redis(), services.keys(), services.tokens(), eventId, number, 300));
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
