package dev.onsale.app;

import static dev.onsale.common.testing.TestEnv.await;

import dev.onsale.common.EventMeta;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import io.vertx.redis.client.Redis;
import java.util.Map;

/**
 * Publishes an event for the waiting room straight into Redis, the way the sale core does (meta
 * hash, slug, event set, availability): for tests of the waiting room alone, without an organizer.
 * The app's queue pages' values on {@link TestEvents}' published event.
 */
final class PublishedEvents {

  private PublishedEvents() {}

  /** Queue open now, the sale in {@code saleInMillis}, FIFO pre-queue, waiting room on, up to 1,000 shopping at once. */
  static Map<String, Object> meta(long eventId, String slug, long saleInMillis, int ratePerMinute) {
    Map<String, Object> meta = TestEvents.publishedMeta(eventId, slug, saleInMillis, ratePerMinute, 1_000);
    meta.put(EventMeta.NAME, "Queue Night " + eventId);
    meta.put(EventMeta.SALE_ENDS_AT, System.currentTimeMillis() + 7_200_000L);
    return meta;
  }

  /** The meta, slug and event set, and the availability of {@code ticketsAvailable} tickets, none held or sold. */
  static void publish(Redis redis, RedisKeys keys, long eventId, Map<String, Object> meta, long ticketsAvailable) {
    await(TestEvents.publish(redis, keys, eventId, meta));
    await(redis.send(TestEvents.availability(keys, eventId, ticketsAvailable, 0, 0)));
  }

  /** Deletes every key under the prefix (tests clean up whatever their outcome). */
  static void deleteAll(Redis redis, RedisKeys keys) {
    TestEnv.deleteKeys(redis, keys.prefix());
  }
}
