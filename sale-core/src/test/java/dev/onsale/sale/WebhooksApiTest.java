package dev.onsale.sale;

import static dev.onsale.common.testing.TestEnv.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onsale.common.testing.TestEvents;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhooks admin API")
class WebhooksApiTest {

  private static SaleServer server;
  private static long eventId;
  private static String adminToken;

  @BeforeAll
  static void start() {
    server = SaleServer.start();
    adminToken = server.config.adminToken();
    eventId = server.createEvent(TestEvents.onSale("hooked", 5)).getLong("id");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("an organizer registers, lists and deletes a webhook; the secret is shown once")
  void registerListDelete() {
    Answer created = call(HttpMethod.POST, "/api/v1/admin/events/" + eventId + "/webhooks", adminToken,
        new JsonObject().put("url", "https://hooks.example.org/onsale"));
    assertThat(created.status).isEqualTo(201);
    assertThat(created.json.getString("url")).isEqualTo("https://hooks.example.org/onsale");
    assertThat(created.json.getString("secret")).hasSize(64);
    assertThat(created.json.getBoolean("active")).isTrue();
    long id = created.json.getLong("id");

    Answer listed = call(HttpMethod.GET, "/api/v1/admin/events/" + eventId + "/webhooks", adminToken, null);
    assertThat(listed.status).isEqualTo(200);
    JsonObject hook = listed.json.getJsonArray("webhooks").getJsonObject(0);
    assertThat(hook.getLong("id")).isEqualTo(id);
    assertThat(hook.containsKey("secret")).isFalse();

    assertThat(call(HttpMethod.DELETE, "/api/v1/admin/events/" + eventId + "/webhooks/" + id, adminToken, null).status).isEqualTo(204);
    assertThat(call(HttpMethod.DELETE, "/api/v1/admin/events/" + eventId + "/webhooks/" + id, adminToken, null).status).isEqualTo(404);
  }

  @Test
  @DisplayName("bad URLs, unknown events and missing tokens are 4xx with a JSON error")
  void rejectsBadInput() {
    String path = "/api/v1/admin/events/" + eventId + "/webhooks";
    for (String url : List.of("ftp://example.org/x", "not a url", "https://user:pw@example.org/", "https:///nohost", "/relative")) {
      Answer answer = call(HttpMethod.POST, path, adminToken, new JsonObject().put("url", url));
      assertThat(answer.status).as(url).isEqualTo(400);
      assertThat(answer.json.getString("error")).as(url).isEqualTo("invalid_field");
    }
    assertThat(call(HttpMethod.POST, path, adminToken, new JsonObject().put("url", 42)).status).isEqualTo(400);
    assertThat(call(HttpMethod.POST, path, adminToken, new JsonObject().put("url", "https://a.example").put("extra", 1)).status).isEqualTo(400);
    assertThat(call(HttpMethod.POST, path, "wrong-token", new JsonObject().put("url", "https://a.example")).status).isEqualTo(401);
    assertThat(call(HttpMethod.GET, path, null, null).status).isEqualTo(401);
    Answer unknown = call(HttpMethod.POST, "/api/v1/admin/events/999999/webhooks", adminToken, new JsonObject().put("url", "https://a.example"));
    assertThat(unknown.status).isEqualTo(404);
    assertThat(unknown.json.getString("error")).isEqualTo("not_found");
    assertThat(call(HttpMethod.GET, "/api/v1/admin/events/abc/webhooks", adminToken, null).status).isEqualTo(404);
  }

  @Test
  @DisplayName("the answer that shows the secret is never cached; loopback, private and link-local URLs are refused")
  void secretNotCachedAndInternalAddressesRefused() {
    String path = "/api/v1/admin/events/" + eventId + "/webhooks";
    java.util.Map<String, String> admin = java.util.Map.of("Authorization", "Bearer " + adminToken);
    var created = await(server.http.sendJson(HttpMethod.POST, path, new JsonObject().put("url", "https://hooks.example.org/cache"), admin));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.headers().get("Cache-Control")).contains("no-store");
    assertThat(call(HttpMethod.DELETE, path + "/" + created.json().getLong("id"), adminToken, null).status).isEqualTo(204);
    for (String url : List.of("http://127.0.0.1:8080/api/v1/admin/invariants", "http://localhost/x", "http://[::1]/x",
        "http://192.168.1.10/x", "http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/x")) {
      Answer answer = call(HttpMethod.POST, path, adminToken, new JsonObject().put("url", url));
      assertThat(answer.status).as(url).isEqualTo(400);
      assertThat(answer.json.getString("error")).as(url).isEqualTo("invalid_field");
      assertThat(answer.json.getString("message")).as(url).contains("ONSALE_WEBHOOK_ALLOWED_HOSTS");
    }
  }

  private record Answer(int status, JsonObject json) {}

  private Answer call(HttpMethod method, String path, String token, JsonObject body) {
    java.util.Map<String, String> headers = new java.util.HashMap<>();
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    var answer = await(server.http.sendJson(method, path, body, headers));
    return new Answer(answer.status(), answer.json());
  }
}
