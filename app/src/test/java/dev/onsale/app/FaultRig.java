package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import dev.onsale.common.testing.TestHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** What the fault tests share: configurations for disposable servers, an event on sale, the checks after. */
final class FaultRig {

  static final String ADMIN_TOKEN = "fault-admin-token-0123456789abcdef";
  static final String TOKEN_SECRET = "fault-token-secret-0123456789-0123456789-abcdef";

  private FaultRig() {}

  /** A configuration for one instance: the given PostgreSQL and Redis URLs, a fresh key prefix and port. */
  static OnsaleConfig config(String pgUrl, String redisUrl, String prefix, Map<String, String> overrides) {
    Map<String, String> settings = settings(pgUrl, redisUrl, prefix, TestEnv.freshMediaDir());
    settings.put("ONSALE_HTTP_INSTANCES", "2");
    settings.putAll(overrides);
    return OnsaleConfig.fromMap(settings);
  }

  /** {@link TestEnv#instanceSettings} with the fault tests' tokens. */
  static Map<String, String> settings(String pgUrl, String redisUrl, String prefix, String mediaDir) {
    Map<String, String> settings = TestEnv.instanceSettings(pgUrl, redisUrl, prefix, mediaDir);
    settings.put("ONSALE_ADMIN_TOKEN", ADMIN_TOKEN);
    settings.put("ONSALE_TOKEN_SECRET", TOKEN_SECRET);
    return settings;
  }

  /** A fresh key prefix, removed with the test class like every prefix {@link TestEnv} hands out. */
  static String freshPrefix() {
    return TestEnv.freshPrefix();
  }

  static Map<String, String> admin() {
    return TestEvents.admin(ADMIN_TOKEN);
  }

  /** An event on sale now with one category of {@code capacity} free tickets; returns {eventId, categoryId}. */
  static long[] eventOnSale(TestHttp http, String slug, int capacity, boolean waitingRoom) {
    // Free tickets: most fault tests are about processes and services failing, so orders are paid at once.
    return eventOnSale(http, slug, capacity, waitingRoom, 0);
  }

  /** As {@link #eventOnSale(TestHttp, String, int, boolean)}, at a price (cents, EUR): orders wait for a payment. */
  static long[] eventOnSale(TestHttp http, String slug, int capacity, boolean waitingRoom, int priceCents) {
    JsonObject body = TestEvents.onSale(slug)
        .put("name", "Fault " + slug).put("venue", "Fault Hall")
        .put("admissionRatePerMinute", 6000).put("maxActiveShoppers", 1000)
        .put("waitingRoom", waitingRoom ? "on" : "off")
        .put("categories", new JsonArray().add(TestEvents.category("Standing", priceCents, capacity)));
    JsonObject event = TestEvents.create(http, admin(), body);
    return new long[] {event.getLong("id"), event.getJsonArray("categories").getJsonObject(0).getLong("id")};
  }

  /** The invariant checker's report through the organizer API. */
  static JsonObject invariants(TestHttp http) {
    return http.get("/api/v1/admin/invariants", admin()).json();
  }
}
