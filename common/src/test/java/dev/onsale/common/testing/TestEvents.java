package dev.onsale.common.testing;

import dev.onsale.common.EventAvailability;
import dev.onsale.common.EventMeta;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events for tests, both ways they enter Onsale: as an organizer creates them over the API (the
 * request bodies, the create call, the buyer's bodies), and as the sale core publishes them to
 * Redis for the waiting room (meta hash, slug, event set, availability), for tests without it.
 */
public final class TestEvents {

  public static final String CREATE_PATH = "/api/v1/admin/events";

  private TestEvents() {}

  /** An event on sale now, waiting room off, with one category per capacity given (A at 10 EUR, B at 20 EUR, …). */
  public static JsonObject onSale(String slug, int... capacities) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JsonArray categories = new JsonArray();
    for (int i = 0; i < capacities.length; i++) {
      categories.add(category("Category " + (char) ('A' + i), 1000 * (i + 1), capacities[i]));
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

  /** One category of an event body, priced in EUR cents. */
  public static JsonObject category(String name, int priceCents, int capacity) {
    return new JsonObject().put("name", name).put("priceCents", priceCents).put("currency", "EUR").put("capacity", capacity);
  }

  /** The same event with every category free: its orders are paid the moment they are placed. */
  public static JsonObject free(JsonObject event) {
    event.getJsonArray("categories").forEach(c -> ((JsonObject) c).put("priceCents", 0));
    return event;
  }

  /** Creates the event through the organizer API and answers it; anything but a 201 fails the test. */
  public static JsonObject create(TestHttp http, Map<String, String> admin, JsonObject body) {
    TestHttp.Answer answer = http.post(CREATE_PATH, body, admin);
    if (answer.status() != 201) {
      throw new AssertionError("create event: " + answer.status() + " " + answer.raw());
    }
    return answer.json();
  }

  /** The organizer's Authorization header. */
  public static Map<String, String> admin(String adminToken) {
    return Map.of("Authorization", "Bearer " + adminToken);
  }

  /** A reservation body: {@code quantity} tickets of one category. */
  public static JsonObject items(long categoryId, int quantity) {
    return new JsonObject().put("items", new JsonArray().add(new JsonObject().put("categoryId", categoryId).put("quantity", quantity)));
  }

  /** An order body for a buyer of that name, with an address made from it. */
  public static JsonObject buyer(String name) {
    return new JsonObject().put("buyer", new JsonObject().put("name", name).put("email", name.toLowerCase().replace(' ', '.') + "@example.org"));
  }

  /** The meta hash of a typical published event: queue open now, the sale after the given delay, FIFO pre-queue, waiting room on. */
  public static Map<String, Object> publishedMeta(long eventId, String slug, long saleStartsInMillis, int ratePerMinute,
                                                  int maxActiveShoppers) {
    long now = System.currentTimeMillis();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put(EventMeta.ID, eventId);
    meta.put(EventMeta.SLUG, slug);
    meta.put(EventMeta.NAME, "Test Night " + eventId);
    meta.put(EventMeta.VENUE, "Test Hall");
    meta.put(EventMeta.STARTS_AT, now + 86_400_000L);
    meta.put(EventMeta.QUEUE_OPENS_AT, now - 1_000);
    meta.put(EventMeta.SALE_STARTS_AT, now + saleStartsInMillis);
    meta.put(EventMeta.SALE_ENDS_AT, now + 3_600_000L);
    meta.put(EventMeta.ADMISSION_RATE_PER_MINUTE, ratePerMinute);
    meta.put(EventMeta.MAX_ACTIVE_SHOPPERS, maxActiveShoppers);
    meta.put(EventMeta.MAX_TICKETS_PER_ORDER, 4);
    meta.put(EventMeta.HOLD_SECONDS, 300);
    meta.put(EventMeta.WAITING_ROOM, "on");
    meta.put(EventMeta.PRE_QUEUE, "fifo");
    meta.put(EventMeta.PAUSED, "false");
    return meta;
  }

  /**
   * Publishes an event as the sale core does: its meta hash, its slug (when the meta has one), then
   * its place in the event set, so that a listed event always has both.
   */
  public static Future<Void> publish(Redis redis, RedisKeys keys, long eventId, Map<String, Object> meta) {
    Request hset = Request.cmd(Command.HSET).arg(keys.event(eventId).meta());
    meta.forEach((field, value) -> hset.arg(field).arg(String.valueOf(value)));
    List<Request> requests = new ArrayList<>();
    requests.add(hset);
    if (meta.containsKey(EventMeta.SLUG)) {
      requests.add(Request.cmd(Command.SET).arg(keys.slug(String.valueOf(meta.get(EventMeta.SLUG)))).arg(eventId));
    }
    requests.add(Request.cmd(Command.SADD).arg(keys.events()).arg(eventId));
    return redis.batch(requests).mapEmpty();
  }

  /** The availability hash as the sale core publishes it (capacity is the sum of the counts). */
  public static Request availability(RedisKeys keys, long eventId, long available, long held, long sold) {
    return Request.cmd(Command.HSET).arg(keys.event(eventId).availability())
        .arg(EventAvailability.CAPACITY).arg(available + held + sold).arg(EventAvailability.AVAILABLE).arg(available)
        .arg(EventAvailability.HELD).arg(held).arg(EventAvailability.SOLD).arg(sold)
        .arg(EventAvailability.UPDATED_AT).arg(System.currentTimeMillis());
  }

  /** As {@link #availability(RedisKeys, long, long, long, long)}, with tickets kept for unpaid orders (pending). */
  public static Request availability(RedisKeys keys, long eventId, long available, long held, long sold, long pending) {
    return Request.cmd(Command.HSET).arg(keys.event(eventId).availability())
        .arg(EventAvailability.CAPACITY).arg(available + held + sold + pending).arg(EventAvailability.AVAILABLE).arg(available)
        .arg(EventAvailability.HELD).arg(held).arg(EventAvailability.SOLD).arg(sold).arg(EventAvailability.PENDING).arg(pending)
        .arg(EventAvailability.UPDATED_AT).arg(System.currentTimeMillis());
  }
}
