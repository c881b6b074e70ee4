package dev.onsale.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.Holds;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The organizer's CSV export of orders")
class OrderExportTest {

  private static OnsaleApp app;
  private static OnsaleConfig config;
  private static TestHttp http;

  @BeforeAll
  static void start() {
    config = TestEnv.freshConfig();
    app = TestEnv.await(OnsaleApp.start(config));
    http = new TestHttp(config.httpPort());
  }

  @AfterAll
  static void stop() {
    http.close();
    TestEnv.await(app.stop());
  }

  private static Map<String, String> admin() {
    return Map.of("Authorization", "Bearer " + config.adminToken());
  }

  @Test
  @DisplayName("is written by the background worker and lists every order, with formulas defused")
  void exportsOrders() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonObject event = http.post("/api/v1/admin/events", new JsonObject()
        .put("name", "Export Night").put("slug", "export-night").put("venue", "Hall")
        .put("startsAt", now.plus(5, ChronoUnit.DAYS).toString())
        .put("queueOpensAt", now.minusSeconds(60).toString())
        .put("saleStartsAt", now.minusSeconds(30).toString())
        .put("saleEndsAt", now.plus(1, ChronoUnit.DAYS).toString())
        .put("admissionRatePerMinute", 100).put("maxActiveShoppers", 10).put("waitingRoom", "off")
        .put("categories", new JsonArray().add(new JsonObject()
            .put("name", "Floor").put("priceCents", 2500).put("currency", "EUR").put("capacity", 10))), admin()).json();
    long eventId = event.getLong("id");
    long category = event.getJsonArray("categories").getJsonObject(0).getLong("id");
    List<String> buyers = List.of("Ada Lovelace", "=HYPERLINK(\"http://evil\")", "Grace \"Amazing\" Hopper");
    for (String name : buyers) {
      JsonObject hold = http.post("/api/v1/events/" + eventId + "/reservations", new JsonObject().put("items", new JsonArray()
          .add(new JsonObject().put("categoryId", category).put("quantity", 2))), Map.of()).json();
      TestHttp.Answer order = http.post(Holds.orderPath(hold), new JsonObject().put("buyer",
          new JsonObject().put("name", name).put("email", "buyer@example.org")), Map.of());
      assertThat(order.status()).isEqualTo(201);
      if (name.startsWith("Ada")) {
        payWithTestProvider(order.json());
      }
    }

    TestHttp.Answer started = http.post("/api/v1/admin/events/" + eventId + "/orders/export", new JsonObject(), admin());
    assertThat(started.status()).isEqualTo(202);
    String url = started.json().getString("url");
    assertThat(http.get(url.replace(started.json().getString("id"), "00000000-0000-0000-0000-000000000000"), admin()).status())
        .isEqualTo(404);
    assertThat(http.get(url).status()).as("organizer token required").isEqualTo(401);

    JsonObject export = http.get(url, admin()).json();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!"ready".equals(export.getString("status")) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      export = http.get(url, admin()).json();
    }
    assertThat(export.getString("status")).isEqualTo("ready");
    assertThat(export.getInteger("orders")).isEqualTo(3);

    TestHttp.Answer csv = http.get(export.getString("downloadUrl"), admin());
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.headers().get("Content-Type")).startsWith("text/csv");
    List<String> lines = csv.raw().toString().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("code,status,buyer_name,buyer_email,tickets,total_cents,currency,created_at");
    assertThat(lines.get(1)).contains(",paid,Ada Lovelace,buyer@example.org,2,5000,EUR,");
    assertThat(lines.get(2)).contains(",pending,\"'=HYPERLINK(\"\"http://evil\"\")\",");
    assertThat(lines.get(3)).contains(",\"Grace \"\"Amazing\"\" Hopper\",");
  }

  /** Pays a pending order as its buyer would: opens payment.url, then "Pay" on the test provider's page. */
  private void payWithTestProvider(JsonObject order) {
    http.get(order.getJsonObject("payment").getString("url"));
    TestHttp.Answer paid = http.post("/api/v1/payments/test/" + order.getJsonObject("payment").getString("id") + "/succeed",
        new JsonObject(), Map.of());
    assertThat(paid.status()).isEqualTo(200);
  }
}
