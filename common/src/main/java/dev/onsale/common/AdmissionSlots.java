package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * An event's active-shopper slots ({@link RedisKeys.Event#activeShoppers()}): one member per
 * admitted buyer's number, scored with the epoch millisecond at which the slot lapses. The waiting
 * room gives slots out and takes lapsed ones back; the sale core checks, extends and frees the
 * slot of the buyer in front of it; ops counts them. Each reads and writes them through here, so
 * that none has to know how they are kept.
 */
public final class AdmissionSlots {

  private final Redis redis;
  private final RedisKeys keys;

  public AdmissionSlots(Redis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Whether the buyer with this number holds a slot that has not lapsed at {@code nowMillis}. */
  public Future<Boolean> live(long eventId, long number, long nowMillis) {
    return redis.send(Request.cmd(Command.ZSCORE).arg(keys.event(eventId).activeShoppers()).arg(number))
        .map(score -> score != null && score.toDouble() > nowMillis);
  }

  /** Keeps an existing slot until {@code untilMillis}; a slot already gone stays gone. */
  public Future<Void> keepUntil(long eventId, long number, long untilMillis) {
    return redis.send(Request.cmd(Command.ZADD).arg(keys.event(eventId).activeShoppers()).arg("XX")
        .arg(untilMillis).arg(number)).mapEmpty();
  }

  /** Frees the slot at once for the next in line. */
  public Future<Void> free(long eventId, long number) {
    return redis.send(Request.cmd(Command.ZREM).arg(keys.event(eventId).activeShoppers()).arg(number)).mapEmpty();
  }

  /** For a batch: how many slots have not lapsed at {@code nowMillis}. */
  public static Request countLive(RedisKeys.Event event, long nowMillis) {
    return Request.cmd(Command.ZCOUNT).arg(event.activeShoppers()).arg("(" + nowMillis).arg("+inf");
  }

  /** For a batch: takes back every slot that lapsed at or before {@code nowMillis}. */
  public static Request dropLapsed(RedisKeys.Event event, long nowMillis) {
    return Request.cmd(Command.ZREMRANGEBYSCORE).arg(event.activeShoppers()).arg("-inf").arg(nowMillis);
  }

  /** For a batch: how many slots there are (after {@link #dropLapsed}, the live ones). */
  public static Request count(RedisKeys.Event event) {
    return Request.cmd(Command.ZCARD).arg(event.activeShoppers());
  }
}
