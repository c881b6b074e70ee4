package dev.onsale.waitingroom;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/**
 * An admitted buyer's turn while their page comes and goes. The slot is the number's member of the
 * active-shoppers set, scored by when it lapses (the grace to reserve, then the hold's end, set by
 * the sale core). When the page says it is leaving ({@code pagehide}), the slot is moved to lapse
 * {@code leaveSeconds} from now (so the admission controller gives it to the next buyer then) and
 * the lapse time it had is kept; any request with the buyer's token within that time (a reload, a
 * page back from the back-forward cache, the next status call) puts it back. A page that merely
 * goes silent (a phone that froze it) changes nothing: its turn lasts as long as it did.
 */
final class AdmissionLiveness {

  /** KEYS: active shoppers, leaving. ARGV: number, lapse time after leaving. */
  private static final RedisScript LEAVE = new RedisScript("""
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if not score then
        return 0
      end
      if tonumber(score) > tonumber(ARGV[2]) then
        redis.call('HSETNX', KEYS[2], ARGV[1], score)
        redis.call('EXPIRE', KEYS[2], 86400)
        redis.call('ZADD', KEYS[1], 'XX', ARGV[2], ARGV[1])
      end
      return 1""");

  /**
   * KEYS: active shoppers, leaving. ARGV: number. Puts a left slot back (never lowering a later
   * lapse the sale core set meanwhile) and answers the slot's lapse time, or false without a slot.
   */
  private static final RedisScript RESTORE = new RedisScript("""
      local saved = redis.call('HGET', KEYS[2], ARGV[1])
      if saved then
        redis.call('HDEL', KEYS[2], ARGV[1])
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
          redis.call('ZADD', KEYS[1], 'XX', 'GT', saved, ARGV[1])
        end
      end
      return redis.call('ZSCORE', KEYS[1], ARGV[1])""");

  private final Redis redis;
  private final RedisKeys keys;
  private final long leaveMillis;

  /**
   * Leaving and coming back do not wait for a replica (ONSALE_REDIS_WAIT_REPLICAS): the return runs
   * on every admitted buyer's status poll, and what a failover could take back mends itself — a
   * lost return is made again by the next request, a lost leave only keeps the slot its full time.
   */
  AdmissionLiveness(Redis redis, RedisKeys keys, long leaveSeconds) {
    this.redis = redis;
    this.keys = keys;
    this.leaveMillis = leaveSeconds * 1000;
  }

  /** The page left: the slot lapses {@code leaveSeconds} from now unless the buyer comes back. */
  Future<Void> leave(long eventId, long number, long now) {
    RedisKeys.Event event = keys.event(eventId);
    return LEAVE.run(redis, List.of(event.activeShoppers(), event.leaving()), number, now + leaveMillis).mapEmpty();
  }

  /** The buyer is here: a left slot is put back. Answers when the slot lapses (0 without one). */
  Future<Long> restore(long eventId, long number) {
    RedisKeys.Event event = keys.event(eventId);
    return RESTORE.run(redis, List.of(event.activeShoppers(), event.leaving()), number)
        .map(reply -> reply == null ? 0L : (long) Double.parseDouble(reply.toString()));
  }
}
