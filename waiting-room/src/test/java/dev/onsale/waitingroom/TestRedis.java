package dev.onsale.waitingroom;

import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.Clients;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.testing.TestEnv;
import dev.onsale.common.testing.TestEvents;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
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
    TestEnv.await(TestEvents.publish(redis, keys, eventId, meta));
  }

  void setMeta(long eventId, String field, Object value) {
    cmd("HSET", keys.event(eventId).meta(), field, String.valueOf(value));
  }

  void publishAvailability(long eventId, long available, long held, long sold) {
    TestEnv.await(redis.send(TestEvents.availability(keys, eventId, available, held, sold)));
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
    return TestEvents.publishedMeta(eventId, slug, saleStartsInMillis, ratePerMinute, maxActiveShoppers);
  }

  /** Publishes availability with tickets kept for unpaid orders (the sale core's {@code pending}). */
  void publishAvailability(long eventId, long available, long held, long sold, long pending) {
    TestEnv.await(redis.send(TestEvents.availability(keys, eventId, available, held, sold, pending)));
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
