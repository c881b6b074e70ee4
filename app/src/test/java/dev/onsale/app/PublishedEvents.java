package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.RedisKeys;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes an event for the waiting room straight into Redis, the way the sale core does (meta
 * hash, slug, event set, availability): for tests of the waiting room alone, without an organizer.
 */
final class PublishedEvents {

  private PublishedEvents() {}

  /** Queue open now, the sale in {@code saleInMillis}, FIFO pre-queue, waiting room on. */
  static Map<String, Object> meta(long eventId, String slug, long saleInMillis, int ratePerMinute) {
    long now = System.currentTimeMillis();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("id", eventId);
    meta.put("slug", slug);
    meta.put("name", "Queue Night " + eventId);
    meta.put("venue", "Test Hall");
    meta.put("startsAt", now + 86_400_000L);
    meta.put("queueOpensAt", now - 1_000);
    meta.put("saleStartsAt", now + saleInMillis);
    meta.put("saleEndsAt", now + 7_200_000L);
    meta.put("admissionRatePerMinute", ratePerMinute);
    meta.put("maxActiveShoppers", 1_000);
    meta.put("maxTicketsPerOrder", 4);
    meta.put("holdSeconds", 300);
    meta.put("waitingRoom", "on");
    meta.put("preQueue", "fifo");
    meta.put("paused", "false");
    return meta;
  }

  static void publish(Redis redis, RedisKeys keys, long eventId, Map<String, Object> meta, long ticketsAvailable) {
    Request hset = Request.cmd(Command.HSET).arg(keys.event(eventId).meta());
    meta.forEach((field, value) -> hset.arg(field).arg(String.valueOf(value)));
    List<Request> requests = new ArrayList<>();
    requests.add(hset);
    requests.add(Request.cmd(Command.SET).arg(keys.slug(String.valueOf(meta.get("slug")))).arg(eventId));
    requests.add(Request.cmd(Command.SADD).arg(keys.events()).arg(eventId));
    requests.add(Request.cmd(Command.HSET).arg(keys.event(eventId).availability())
        .arg("capacity").arg(ticketsAvailable).arg("available").arg(ticketsAvailable)
        .arg("held").arg(0).arg("sold").arg(0).arg("updatedAt").arg(System.currentTimeMillis()));
    await(redis.batch(requests));
  }

  /** Deletes every key under the prefix (tests clean up whatever their outcome). */
  static void deleteAll(Redis redis, RedisKeys keys) {
    String cursor = "0";
    do {
      var page = await(redis.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(keys.prefix() + "*")
          .arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      for (var key : page.get(1)) {
        await(redis.send(Request.cmd(Command.UNLINK).arg(key.toString())));
      }
    } while (!"0".equals(cursor));
  }
}
