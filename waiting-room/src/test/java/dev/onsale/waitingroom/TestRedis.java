package dev.onsale.waitingroom;

import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.Clients;
import dev.onsale.common.EventAvailability;
import dev.onsale.common.EventMeta;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Direct Redis access for tests: publishes events the way the sale core does (its hashes, the event
 * set and the slug) and reads the queue's counters, from the test thread.
 */
final class TestRedis implements AutoCloseable {

  final RedisKeys keys;
  private final Vertx vertx = Vertx.vertx();
  private final Redis redis;

  TestRedis(OnsaleConfig config) {
    this.keys = new RedisKeys(config.redisPrefix());
    this.redis = Clients.redis(vertx, config);
  }

  Response cmd(String command, Object... args) {
    return TestEnv.await(redis.send(Request.cmd(Command.create(command), args)));
  }

  long number(String command, Object... args) {
    Response reply = cmd(command, args);
    return reply == null ? 0 : reply.toLong();
  }

  String string(String command, Object... args) {
    Response reply = cmd(command, args);
    return reply == null ? null : reply.toString();
  }

  /** Publishes an event's meta hash, id and slug as the sale core does. */
  void publishEvent(long eventId, Map<String, Object> meta) {
    Object[] args = new Object[1 + meta.size() * 2];
    args[0] = keys.event(eventId).meta();
    int i = 1;
    for (Map.Entry<String, Object> field : meta.entrySet()) {
      args[i++] = field.getKey();
      args[i++] = String.valueOf(field.getValue());
    }
    cmd("HSET", args);
    cmd("SADD", keys.events(), eventId);
    if (meta.containsKey(EventMeta.SLUG)) {
      cmd("SET", keys.slug(String.valueOf(meta.get(EventMeta.SLUG))), eventId);
    }
  }

  void setMeta(long eventId, String field, Object value) {
    cmd("HSET", keys.event(eventId).meta(), field, String.valueOf(value));
  }

  void publishAvailability(long eventId, long available, long held, long sold) {
    cmd("HSET", keys.event(eventId).availability(),
        EventAvailability.CAPACITY, available + held + sold, EventAvailability.AVAILABLE, available,
        EventAvailability.HELD, held, EventAvailability.SOLD, sold, EventAvailability.UPDATED_AT, System.currentTimeMillis());
  }

  long serving(long eventId) {
    return number("GET", keys.event(eventId).serving());
  }

  long activeShoppers(long eventId) {
    Response reply = TestEnv.await(redis.send(AdmissionSlots.countLive(keys.event(eventId), System.currentTimeMillis())));
    return reply == null ? 0 : reply.toLong();
  }

  /** The typical published event: queue open now, sale starting after the given delay. */
  static Map<String, Object> event(long eventId, String slug, long saleStartsInMillis, int ratePerMinute,
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

  /** Publishes availability with tickets kept for unpaid orders (the sale core's {@code pending}). */
  void publishAvailability(long eventId, long available, long held, long sold, long pending) {
    cmd("HSET", keys.event(eventId).availability(),
        EventAvailability.CAPACITY, available + held + sold + pending, EventAvailability.AVAILABLE, available,
        EventAvailability.HELD, held, EventAvailability.SOLD, sold, EventAvailability.PENDING, pending,
        EventAvailability.UPDATED_AT, System.currentTimeMillis());
  }

  @Override
  public void close() {
    try {
      // Every key of this test's prefix, whatever the outcome of the test.
      TestEnv.deleteKeys(redis, keys.prefix());
    } catch (RuntimeException e) {
      // Redis went away: nothing left to clean up here.
    }
    TestEnv.await(redis.close());
    TestEnv.await(vertx.close());
  }
}
