package dev.onsale.common;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;

/**
 * An event's two waiting-room counters as the other modules read them: the last arrival number
 * handed out ({@link RedisKeys.Event#arrivals()}) and the place up to which buyers are admitted
 * ({@link RedisKeys.Event#serving()}). Only the waiting room writes them.
 */
public record QueueCounts(long arrivals, long serving) {

  /** Buyers still in line. */
  public long waiting() {
    return Math.max(0, arrivals - serving);
  }

  /** Buyers admitted so far (serving never counts places nobody has joined for). */
  public long admitted() {
    return Math.min(serving, arrivals);
  }

  /** Both counters of one event, in one round trip (they share the event's hash slot). */
  public static Future<QueueCounts> read(Redis redis, RedisKeys.Event event) {
    return redis.batch(requests(event)).map(replies -> of(replies.get(0), replies.get(1)));
  }

  /** For a larger batch: the two reads, in the order {@link #of} takes their replies. */
  public static List<Request> requests(RedisKeys.Event event) {
    return List.of(Request.cmd(Command.GET).arg(event.arrivals()), Request.cmd(Command.GET).arg(event.serving()));
  }

  public static QueueCounts of(Response arrivals, Response serving) {
    return new QueueCounts(number(arrivals), number(serving));
  }

  /** A counter nobody has set yet reads 0; so does one that is not a number (never written so by Onsale). */
  private static long number(Response reply) {
    if (reply == null) {
      return 0;
    }
    try {
      return reply.toLong();
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
