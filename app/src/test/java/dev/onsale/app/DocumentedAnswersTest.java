package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.DisposableRedis;
import dev.onsale.common.testing.ApiContract;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestHttp;
import dev.onsale.common.testing.TestHttp.Answer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The answers of a full instance (every role) on the ways buyers, organizers and operators use it,
 * each checked against the served OpenAPI document: the happy paths, and the refusals met on them.
 */
@DisplayName("A full instance answers as its OpenAPI document says")
class DocumentedAnswersTest {

  static OnsaleApp app;
  static TestHttp http;
  static final Map<String, String> ADMIN = FaultRig.admin();

  @BeforeAll
  static void start() {
    app = await(OnsaleApp.start(TestEnv.freshConfig(Map.of("ONSALE_ADMIN_TOKEN", FaultRig.ADMIN_TOKEN,
        "ONSALE_HTTP_INSTANCES", "1", "ONSALE_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"))));
    http = new TestHttp(app.port());
    Answer document = http.get("/openapi.yaml");
    http.checkedAgainst(ApiContract.of(document.raw().toString(StandardCharsets.UTF_8)));
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (app != null) {
      await(app.stop());
    }
  }

  @Test
  @DisplayName("a buyer's turn through the waiting room: join, wait, admitted, reserve, order, and the turn closed")
  void waitingRoom() {
    long[] event = FaultRig.eventOnSale(http, "documented-queue", 20, true);
    String base = "/api/v1/events/" + event[0];
    Answer joined = http.post(base + "/queue", null, Map.of());
    assertThat(joined.status()).isEqualTo(201);
    String queueToken = joined.json().getString("queueToken");
    Map<String, String> queue = Map.of("Authorization", "Bearer " + queueToken);
    Answer again = http.post(base + "/queue", new JsonObject().put("queueToken", queueToken), Map.of());
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getLong("number")).isEqualTo(joined.json().getLong("number"));

    JsonObject admitted = eventually(() -> http.get(base + "/queue/status", queue).json(),
        status -> "admitted".equals(status.getString("state")));
    Answer state = http.get(base + "/queue/state");
    assertThat(state.status()).isEqualTo(200);
    assertThat(http.get(base + "/queue/state", Map.of("If-None-Match", state.headers().get("ETag"))).status()).isIn(200, 304);
    assertThat(http.get(base + "/queue").status()).isEqualTo(200);
    assertThat(http.get(base + "/queue/challenge").error()).isEqualTo("no_challenge");
    assertThat(http.get(base + "/queue/placement/0").status()).isEqualTo(200);
    assertThat(http.post(base + "/queue/alive", null, queue).status()).isEqualTo(204);

    Map<String, String> admission = Map.of("Authorization", "Bearer " + admitted.getString("admissionToken"));
    Answer hold = http.post(base + "/reservations", AbuseTest.items(event[1], 1), admission);
    assertThat(hold.status()).isEqualTo(201);
    Answer order = http.post(Holds.orderPath(hold.json()), AbuseTest.buyer("Queue Buyer", "queue@example.org"), admission);
    assertThat(order.status()).isEqualTo(201);
    assertThat(http.post(base + "/reservations", AbuseTest.items(event[1], 1), admission).status()).isIn(401, 409);

    JsonObject closed = http.get(base + "/queue/status", queue).json();
    assertThat(closed.getString("state")).isEqualTo("closed");
    assertThat(closed.getValue("position")).isNull();
    Answer stream = http.get(base + "/queue/events", queue);
    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.raw().toString(StandardCharsets.UTF_8)).contains("event: status");
    assertThat(http.post(base + "/queue/leave", null, queue).status()).isEqualTo(204);
  }

  @Test
  @DisplayName("an organizer's day: events, changes, holds released, orders listed and cancelled, webhooks, exports, checks")
  void organizer() {
    long[] event = FaultRig.eventOnSale(http, "documented-admin", 10, false);
    String admin = "/api/v1/admin/events/" + event[0];
    assertThat(http.get("/api/v1/admin/events", ADMIN).status()).isEqualTo(200);
    assertThat(http.get(admin, ADMIN).status()).isEqualTo(200);
    assertThat(http.patch(admin, new JsonObject().put("venue", "Other Hall"), ADMIN).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/events/" + event[0]).status()).isEqualTo(200);
    Answer open = http.post("/api/v1/events/" + event[0] + "/queue", null, Map.of());
    assertThat(open.status()).isEqualTo(200);
    assertThat(open.json().getValue("queueToken")).isNull();

    String reserve = "/api/v1/events/" + event[0] + "/reservations";
    JsonObject released = http.post(reserve, AbuseTest.items(event[1], 1), Map.of()).json();
    assertThat(http.delete(Holds.releasePath(released), Map.of()).status()).isEqualTo(200);
    assertThat(http.delete(Holds.releasePath(released), Map.of()).status()).isEqualTo(410);
    JsonObject held = http.post(reserve, AbuseTest.items(event[1], 2), Map.of()).json();
    JsonObject order = http.post(Holds.orderPath(held), AbuseTest.buyer("Org Buyer", "org@example.org"), Map.of()).json();
    assertThat(http.post(Holds.orderPath(held), AbuseTest.buyer("Org Buyer", "org@example.org"), Map.of()).status())
        .isEqualTo(409);
    assertThat(http.get("/api/v1/orders/" + order.getString("code") + "?secret=" + order.getString("secret")).status()).isEqualTo(200);
    assertThat(http.get(admin + "/stats", ADMIN).status()).isEqualTo(200);
    assertThat(http.get(admin + "/orders?status=paid&limit=1", ADMIN).json().getJsonArray("orders")).hasSize(1);

    Answer export = http.post(admin + "/orders/export", null, ADMIN);
    assertThat(export.status()).isEqualTo(202);
    String exportUrl = export.json().getString("url");
    JsonObject ready = eventually(() -> http.get(exportUrl, ADMIN).json(), e -> "ready".equals(e.getString("status")));
    Answer csv = http.get(ready.getString("downloadUrl"), ADMIN);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.raw().toString(StandardCharsets.UTF_8)).contains(order.getString("code"));

    String cancel = "/api/v1/admin/orders/" + order.getString("code") + "/cancel";
    assertThat(http.post(cancel, null, ADMIN).status()).isEqualTo(200);
    assertThat(http.post(cancel, null, ADMIN).status()).isEqualTo(409);
    assertThat(http.post("/api/v1/admin/orders/" + order.getString("code") + "/refund-retry", null, ADMIN).status()).isEqualTo(409);

    // A hook on an event that takes no orders: registered, listed and deleted, never called.
    long quiet = FaultRig.eventOnSale(http, "documented-hooks", 1, false)[0];
    String hooks = "/api/v1/admin/events/" + quiet + "/webhooks";
    Answer hook = http.post(hooks, new JsonObject().put("url", "http://127.0.0.1:9/hook"), ADMIN);
    assertThat(hook.status()).isEqualTo(201);
    assertThat(http.get(hooks, ADMIN).json().getJsonArray("webhooks")).hasSize(1);
    assertThat(http.delete(hooks + "/" + hook.json().getLong("id"), ADMIN).status()).isEqualTo(204);

    assertThat(http.get("/api/v1/admin/invariants", ADMIN).json().getBoolean("ok")).isTrue();
  }

  @Test
  @DisplayName("a paid order's way: pending, to the provider and back, paid, its ticket PDF")
  void payment() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject body = new JsonObject().put("name", "Documented Payment").put("slug", "documented-payment").put("venue", "Hall")
        .put("startsAt", now.plus(10, ChronoUnit.DAYS).toString()).put("queueOpensAt", now.minusSeconds(120).toString())
        .put("saleStartsAt", now.minusSeconds(60).toString()).put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 600).put("maxActiveShoppers", 100).put("waitingRoom", "off").put("timeZone", "Europe/Berlin")
        .put("categories", new JsonArray().add(new JsonObject().put("name", "Seat").put("priceCents", 2500).put("currency", "EUR")
            .put("capacity", 5)));
    Answer created = http.post("/api/v1/admin/events", body, ADMIN);
    assertThat(created.status()).isEqualTo(201);
    long eventId = created.json().getLong("id");
    long categoryId = created.json().getJsonArray("categories").getJsonObject(0).getLong("id");
    JsonObject held = http.post("/api/v1/events/" + eventId + "/reservations", AbuseTest.items(categoryId, 1), Map.of()).json();
    JsonObject order = http.post(Holds.orderPath(held), AbuseTest.buyer("Pay Buyer", "pay@example.org"), Map.of()).json();
    assertThat(order.getString("status")).isEqualTo("pending");
    String paymentId = order.getJsonObject("payment").getString("id");
    String orderUrl = "/api/v1/orders/" + order.getString("code") + "?secret=" + order.getString("secret");

    assertThat(http.get(order.getJsonObject("payment").getString("url")).status()).isEqualTo(303);
    assertThat(http.get("/api/v1/payments/test/" + paymentId).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/payments/test/" + paymentId + "/succeed", null, Map.of()).json().getString("result")).isEqualTo("paid");
    assertThat(http.post("/api/v1/orders/" + order.getString("code") + "/payment?secret=" + order.getString("secret"), null, Map.of())
        .error()).isEqualTo("order_not_pending");
    JsonObject paid = eventually(() -> http.get(orderUrl).json(),
        o -> o.getJsonArray("tickets").getJsonObject(0).getString("pdfUrl") != null);
    Answer pdf = http.get(paid.getJsonArray("tickets").getJsonObject(0).getString("pdfUrl"));
    assertThat(pdf.status()).isEqualTo(200);
    assertThat(pdf.headers().get("Content-Type")).isEqualTo("application/pdf");
  }

  @Test
  @DisplayName("an operator's view: health, metrics, job queues and the overview")
  void operator() {
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    assertThat(http.get("/metrics").status()).isEqualTo(200);
    assertThat(http.get("/api/v1/ops/queues", ADMIN).json().getJsonArray("queues")).isNotEmpty();
    assertThat(http.get("/api/v1/ops/overview", ADMIN).status()).isEqualTo(200);
  }

  /** Asks again until the answer satisfies the condition; at most 60 times, half a second apart. */
  private static JsonObject eventually(Supplier<JsonObject> ask, Predicate<JsonObject> done) {
    JsonObject last = null;
    for (int i = 0; i < 60; i++) {
      last = ask.get();
      if (done.test(last)) {
        return last;
      }
      DisposableRedis.sleep(500);
    }
    throw new AssertionError("never came: " + last);
  }
}
