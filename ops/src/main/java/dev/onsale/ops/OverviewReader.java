package dev.onsale.ops;

import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.EventAvailability;
import dev.onsale.common.EventMeta;
import dev.onsale.common.QueueCounts;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.Services;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ops page shows for each event, read-only: the waiting room's counters and the sale
 * core's availability from Redis (one pipelined batch), and reservation and order totals from
 * PostgreSQL. Counters, not rates: the page derives per-second rates from two readings.
 */
final class OverviewReader {

  /** The newest events shown; an operator watches the few on sale now. */
  static final int MAX_EVENTS = 20;
  private static final int COMMANDS_PER_EVENT = 6;

  static final String RESERVATIONS_PER_EVENT =
      "SELECT event_id, count(*) AS n FROM reservations WHERE event_id = ANY($1) GROUP BY event_id";
  static final String ORDERS_PER_EVENT =
      "SELECT event_id, count(*) AS n FROM orders WHERE event_id = ANY($1) GROUP BY event_id";
  /** Refunds a person must look at: failed at the provider, or owed by hand (bank transfers). */
  static final String REFUND_TROUBLE_PER_EVENT = """
      SELECT event_id, count(*) FILTER (WHERE status = 'refund_failed') AS failed,
             count(*) FILTER (WHERE status = 'refund_due') AS due
        FROM payments WHERE event_id = ANY($1) AND status IN ('refund_failed', 'refund_due')
       GROUP BY event_id""";
  static final String CATEGORIES_OF_EVENTS =
      "SELECT id, event_id, name, capacity FROM categories WHERE event_id = ANY($1) ORDER BY event_id, position, id";

  private final Services services;
  private final RedisKeys keys;

  OverviewReader(Services services) {
    this.services = services;
    this.keys = services.keys();
  }

  Future<JsonArray> events() {
    return services.redisApi().smembers(keys.events()).compose(members -> {
      List<Long> ids = new ArrayList<>();
      for (Response member : members) {
        try {
          ids.add(Long.parseLong(member.toString()));
        } catch (NumberFormatException ignored) {
          // not an event id: nothing to show
        }
      }
      ids.sort((a, b) -> Long.compare(b, a));
      List<Long> shown = ids.subList(0, Math.min(MAX_EVENTS, ids.size()));
      if (shown.isEmpty()) {
        return Future.succeededFuture(new JsonArray());
      }
      Future<List<Response>> redis = services.redis().batch(requests(shown));
      Tuple idArray = Tuple.tuple().addArrayOfLong(shown.toArray(new Long[0]));
      Future<RowSet<Row>> reservations = services.pg().preparedQuery(RESERVATIONS_PER_EVENT).execute(idArray);
      Future<RowSet<Row>> orders = services.pg().preparedQuery(ORDERS_PER_EVENT).execute(idArray);
      Future<RowSet<Row>> categories = services.pg().preparedQuery(CATEGORIES_OF_EVENTS).execute(idArray);
      Future<RowSet<Row>> refunds = services.pg().preparedQuery(REFUND_TROUBLE_PER_EVENT).execute(idArray);
      return Future.all(List.of(redis, reservations, orders, categories, refunds)).map(all -> withRefunds(
          assemble(shown, redis.result(), counts(reservations.result()), counts(orders.result()), categories.result()),
          refunds.result()));
    });
  }

  private List<Request> requests(List<Long> ids) {
    long now = System.currentTimeMillis();
    List<Request> requests = new ArrayList<>();
    for (long id : ids) {
      RedisKeys.Event event = keys.event(id);
      requests.add(Request.cmd(Command.HGETALL).arg(event.meta()));
      requests.addAll(QueueCounts.requests(event));
      requests.add(AdmissionSlots.countLive(event, now));
      requests.add(Request.cmd(Command.GET).arg(event.admittedTotal()));
      requests.add(Request.cmd(Command.HGETALL).arg(event.availability()));
    }
    return requests;
  }

  private static JsonArray assemble(List<Long> ids, List<Response> redis, Map<Long, Long> reservations,
      Map<Long, Long> orders, RowSet<Row> categoryRows) {
    Map<Long, List<Row>> categories = new HashMap<>();
    for (Row row : categoryRows) {
      categories.computeIfAbsent(row.getLong("event_id"), k -> new ArrayList<>()).add(row);
    }
    JsonArray events = new JsonArray();
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      int at = i * COMMANDS_PER_EVENT;
      Map<String, String> metaHash = hash(redis.get(at));
      EventMeta meta = metaHash.isEmpty() ? null : EventMeta.fromHash(id, metaHash);
      QueueCounts queue = QueueCounts.of(redis.get(at + 1), redis.get(at + 2));
      long active = number(redis.get(at + 3));
      long admitted = number(redis.get(at + 4));
      EventAvailability availability = EventAvailability.fromHash(hash(redis.get(at + 5)));
      JsonArray categoryJson = new JsonArray();
      for (Row row : categories.getOrDefault(id, List.of())) {
        categoryJson.add(new JsonObject()
            .put("id", row.getLong("id"))
            .put("name", row.getString("name"))
            .put("capacity", row.getInteger("capacity"))
            .put("available", availability == null ? null : availability.availableByCategory().get(row.getLong("id"))));
      }
      JsonObject event = new JsonObject().put("id", id);
      putMeta(event, id, meta);
      event.put("arrivals", queue.arrivals())
          .put("serving", queue.serving())
          .put("waiting", queue.waiting())
          .put("activeShoppers", active)
          .put("admittedTotal", admitted)
          .put("reservationsTotal", reservations.getOrDefault(id, 0L))
          .put("ordersTotal", orders.getOrDefault(id, 0L));
      putAvailability(event, availability);
      events.add(event.put("categories", categoryJson));
    }
    return events;
  }

  /** The event's schedule and settings as published; nulls (and "event N") while nothing is. */
  private static void putMeta(JsonObject event, long id, EventMeta meta) {
    if (meta == null) {
      event.put("name", "event " + id).putNull("slug").putNull("queueOpensAt").putNull("saleStartsAt")
          .putNull("saleEndsAt").put("paused", false).put("waitingRoom", "on").putNull("admissionRatePerMinute")
          .putNull("maxActiveShoppers");
      return;
    }
    event.put("name", meta.name())
        .put("slug", meta.slug())
        .put("queueOpensAt", meta.queueOpensAt())
        .put("saleStartsAt", meta.saleStartsAt())
        .put("saleEndsAt", meta.saleEndsAt())
        .put("paused", meta.paused())
        .put("waitingRoom", meta.waitingRoomOn() ? "on" : "off")
        .put("admissionRatePerMinute", (long) meta.admissionRatePerMinute())
        .put("maxActiveShoppers", (long) meta.maxActiveShoppers());
  }

  /** The ticket totals as published; nulls while the sale core has published none. */
  private static void putAvailability(JsonObject event, EventAvailability availability) {
    if (availability == null) {
      event.putNull("capacity").putNull("available").putNull("held").putNull("pending").putNull("sold")
          .putNull("availabilityUpdatedAt");
      return;
    }
    event.put("capacity", availability.capacity())
        .put("available", availability.available())
        .put("held", availability.held())
        .put("pending", availability.pending())
        .put("sold", availability.sold())
        .put("availabilityUpdatedAt", availability.updatedAt());
  }

  /** Adds each event's refund trouble: {@code refundsFailed} (alerting) and {@code refundsDue}. */
  private static JsonArray withRefunds(JsonArray events, RowSet<Row> rows) {
    Map<Long, Row> byEvent = new HashMap<>();
    rows.forEach(row -> byEvent.put(row.getLong("event_id"), row));
    for (int i = 0; i < events.size(); i++) {
      JsonObject event = events.getJsonObject(i);
      Row row = byEvent.get(event.getLong("id"));
      event.put("refundsFailed", row == null ? 0 : row.getLong("failed"))
          .put("refundsDue", row == null ? 0 : row.getLong("due"));
    }
    return events;
  }

  private static Map<Long, Long> counts(RowSet<Row> rows) {
    Map<Long, Long> counts = new HashMap<>();
    rows.forEach(row -> counts.put(row.getLong("event_id"), row.getLong("n")));
    return counts;
  }

  static Map<String, String> hash(Response flat) {
    Map<String, String> map = new HashMap<>();
    if (flat == null) {
      return map;
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put(flat.get(i).toString(), flat.get(i + 1) == null ? null : flat.get(i + 1).toString());
    }
    return map;
  }

  private static long number(Response value) {
    return value == null ? 0 : value.toLong();
  }
}
