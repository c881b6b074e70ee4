package dev.onsale.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * The organizer's list of an event's orders ({@code GET /api/v1/admin/events/{id}/orders}, paged by
 * {@code after} and {@code limit}): order code to its number of tickets, for the integrity check.
 */
final class AdminOrders {

  private static final int PAGE = 500;
  private static final int MAX_PAGES = 10_000;

  private AdminOrders() {}

  /** Every order of the event; fails when the list cannot be read. */
  static Future<Map<String, Long>> read(OnsaleApi api, long eventId) {
    return page(api, eventId, 0, new HashMap<>(), 0);
  }

  private static Future<Map<String, Long>> page(OnsaleApi api, long eventId, long after, Map<String, Long> seen, int pages) {
    return api.adminOrders(eventId, "?after=" + after + "&limit=" + PAGE).compose(reply -> {
      if (!reply.ok()) {
        return Future.failedFuture("the organizer's order list answered " + reply.label());
      }
      JsonArray orders = reply.body().getJsonArray("orders", new JsonArray());
      for (int i = 0; i < orders.size(); i++) {
        JsonObject order = orders.getJsonObject(i);
        Object tickets = order.getValue("tickets");
        long count = tickets instanceof Number n ? n.longValue() : tickets instanceof JsonArray a ? a.size() : -1;
        if ("paid".equals(order.getString("status", "paid"))) {
          seen.put(order.getString("code"), count);
        }
      }
      Object next = reply.body().getValue("next");
      if (next instanceof Number n && !orders.isEmpty() && pages < MAX_PAGES) {
        return page(api, eventId, n.longValue(), seen, pages + 1);
      }
      return Future.succeededFuture(seen);
    });
  }
}
