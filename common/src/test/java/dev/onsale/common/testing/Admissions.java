package dev.onsale.common.testing;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.Tokens;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * Admissions as the waiting room grants them, for tests that skip the queue: the number's slot in
 * the event's active-shoppers set, lapsing when the token does, and the signed token. The shop
 * refuses a token whose slot is gone, so a bare token is no admission.
 */
public final class Admissions {

  private Admissions() {}

  /** Writes the slot, then answers the token (for event loops: never blocks). */
  public static Future<String> grant(Redis redis, RedisKeys keys, Tokens tokens, long eventId, long number,
                                     int seconds) {
    long lapsesAt = System.currentTimeMillis() + seconds * 1000L;
    return redis.send(Request.cmd(Command.ZADD).arg(keys.event(eventId).activeShoppers()).arg(lapsesAt).arg(number))
        .map(ignored -> tokens.admissionToken(eventId, number, seconds));
  }

  /** The same from a test thread. */
  public static String grantNow(Redis redis, RedisKeys keys, Tokens tokens, long eventId, long number, int seconds) {
    return TestEnv.await(grant(redis, keys, tokens, eventId, number, seconds));
  }

  /** Takes the slot away, as the admission controller does once it lapses or the page left. */
  public static void endNow(Redis redis, RedisKeys keys, long eventId, long number) {
    TestEnv.await(redis.send(Request.cmd(Command.ZREM).arg(keys.event(eventId).activeShoppers()).arg(number)));
  }
}
