package dev.onsale.waitingroom;

import dev.onsale.common.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A lease in Redis that makes one instance the admission leader: {@code SET key id NX PX lease},
 * renewed (only by its holder, checked in a script) on every tick. When the leader dies its lease
 * runs out and the next instance to try takes it. The holder counts itself leader only until a
 * safety margin before the lease could have run out, so two leaders never act in the same moment
 * (and the admission script's check of the serving counter stops a late write anyway).
 */
final class LeaderLease {

  private static final RedisScript RENEW = new RedisScript("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
      end
      return 0""");
  private static final RedisScript RELEASE = new RedisScript("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0""");

  private final Redis redis;
  private final String key;
  private final String holderId;
  private final long leaseMillis;
  private final LongSupplier clock;
  private boolean held;
  private long validUntil;

  LeaderLease(Redis redis, String key, String holderId, long leaseMillis, LongSupplier clock) {
    this.redis = redis;
    this.key = key;
    this.holderId = holderId;
    this.leaseMillis = leaseMillis;
    this.clock = clock;
  }

  /** Renews the lease if held, else tries to take it; tells whether this instance leads now. */
  Future<Boolean> acquireOrRenew() {
    long askedAt = clock.getAsLong();
    Future<Boolean> attempt = held
        ? RENEW.run(redis, List.of(key), holderId, leaseMillis)
            .map(reply -> RedisReplies.longOr(reply, 0) == 1)
        : redis.send(Request.cmd(Command.SET).arg(key).arg(holderId).arg("NX").arg("PX").arg(leaseMillis))
            .map(reply -> reply != null && "OK".equals(reply.toString()));
    return attempt
        .map(leads -> {
          held = leads;
          // The lease started at the latest when we asked; keep a margin for clock drift and pauses.
          validUntil = leads ? askedAt + leaseMillis - Math.min(1_000, leaseMillis / 4) : 0;
          return leads;
        })
        .recover(e -> {
          held = false;
          validUntil = 0;
          return Future.failedFuture(e);
        });
  }

  /** True while this instance may act as the leader. */
  boolean valid() {
    return held && clock.getAsLong() < validUntil;
  }

  boolean held() {
    return held;
  }

  /** Gives the lease up at once (on a clean shutdown), so another instance need not wait it out. */
  Future<Void> release() {
    if (!held) {
      return Future.succeededFuture();
    }
    held = false;
    validUntil = 0;
    return RELEASE.run(redis, List.of(key), holderId).mapEmpty();
  }
}
