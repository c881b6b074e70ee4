package dev.onsale.sale;

import dev.onsale.common.EventAvailability;
import dev.onsale.common.EventMeta;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes what the waiting room needs to Redis: each event's schedule and settings, and its
 * availability. The waiting room reads these and never touches PostgreSQL.
 */
public final class EventPublisher {

  private final Redis redis;
  private final RedisKeys keys;

  public EventPublisher(Redis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  public Future<Void> publishMeta(Event e) {
    Request meta = hset(keys.event(e.id()).meta(), metaOf(e).toHash());
    return redis.batch(List.of(
            meta,
            Request.cmd(Command.SET).arg(keys.slug(e.slug())).arg(e.id()),
            Request.cmd(Command.SADD).arg(keys.events()).arg(e.id())))
        .mapEmpty();
  }

  public Future<Void> publishAvailability(Availability a) {
    return redis.send(hset(keys.event(a.eventId()).availability(), availabilityOf(a).toHash())).mapEmpty();
  }

  static EventMeta metaOf(Event e) {
    return new EventMeta(e.id(), e.slug(), e.name(), e.venue(), e.startsAt().toEpochMilli(),
        e.queueOpensAt().toEpochMilli(), e.saleStartsAt().toEpochMilli(), e.saleEndsAt().toEpochMilli(),
        e.admissionRatePerMinute(), e.maxActiveShoppers(), e.maxTicketsPerOrder(), e.holdSeconds(), e.waitingRoom(),
        "random".equals(e.preQueue()), e.paused(), e.timeZone(), e.payment().seconds(),
        "pow".equals(e.joinChallenge().kind()), e.joinChallenge().difficulty());
  }

  static EventAvailability availabilityOf(Availability a) {
    Map<Long, Long> byCategory = new LinkedHashMap<>();
    a.categories().forEach(c -> byCategory.put(c.categoryId(), c.available()));
    return new EventAvailability(a.capacity(), a.available(), a.held(), a.pending(), a.sold(),
        a.nextReleaseAt() == null ? 0 : a.nextReleaseAt().toEpochMilli(), System.currentTimeMillis(), byCategory);
  }

  private static Request hset(String key, Map<String, String> fields) {
    Request request = Request.cmd(Command.HSET).arg(key);
    fields.forEach((field, value) -> request.arg(field).arg(value));
    return request;
  }
}
