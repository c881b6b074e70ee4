package dev.onsale.sale;

import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;

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
    RedisKeys.Event k = keys.event(e.id());
    Request meta = Request.cmd(Command.HSET).arg(k.meta())
        .arg("id").arg(e.id())
        .arg("slug").arg(e.slug())
        .arg("name").arg(e.name())
        .arg("venue").arg(e.venue())
        .arg("startsAt").arg(e.startsAt().toEpochMilli())
        .arg("queueOpensAt").arg(e.queueOpensAt().toEpochMilli())
        .arg("saleStartsAt").arg(e.saleStartsAt().toEpochMilli())
        .arg("saleEndsAt").arg(e.saleEndsAt().toEpochMilli())
        .arg("admissionRatePerMinute").arg(e.admissionRatePerMinute())
        .arg("maxActiveShoppers").arg(e.maxActiveShoppers())
        .arg("maxTicketsPerOrder").arg(e.maxTicketsPerOrder())
        .arg("holdSeconds").arg(e.holdSeconds())
        .arg("waitingRoom").arg(e.waitingRoom() ? "on" : "off")
        .arg("preQueue").arg(e.preQueue())
        .arg("paused").arg(String.valueOf(e.paused()))
        .arg("timeZone").arg(e.timeZone())
        .arg("paymentSeconds").arg(e.payment().seconds())
        .arg("joinChallenge").arg(e.joinChallenge().kind())
        .arg("powDifficulty").arg(e.joinChallenge().difficulty());
    return redis.batch(List.of(
            meta,
            Request.cmd(Command.SET).arg(keys.slug(e.slug())).arg(e.id()),
            Request.cmd(Command.SADD).arg(keys.events()).arg(e.id())))
        .mapEmpty();
  }

  public Future<Void> publishAvailability(Availability a) {
    Request hset = Request.cmd(Command.HSET).arg(keys.event(a.eventId()).availability())
        .arg("capacity").arg(a.capacity())
        .arg("available").arg(a.available())
        .arg("held").arg(a.held())
        .arg("pending").arg(a.pending())
        .arg("nextReleaseAt").arg(a.nextReleaseAt() == null ? 0 : a.nextReleaseAt().toEpochMilli())
        .arg("sold").arg(a.sold())
        .arg("updatedAt").arg(System.currentTimeMillis());
    a.categories().forEach(c -> hset.arg("cat:" + c.categoryId()).arg(c.available()));
    return redis.send(hset).mapEmpty();
  }
}
