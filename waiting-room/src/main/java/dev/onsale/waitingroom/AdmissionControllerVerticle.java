package dev.onsale.waitingroom;

import dev.onsale.common.AdmissionSlots;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import dev.onsale.common.ReplicaWait;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises each event's serving counter, smoothly, every tick. Every instance runs one; only the
 * holder of the Redis lease acts, so there is one admission rate however many instances there are.
 *
 * <p>Per event and tick the leader admits {@code min(rate credit, free shopper slots, people
 * waiting)}: the credit grows by {@code admissionRatePerMinute / 60} per second and is capped at two
 * ticks' worth (no burst after a pause); the free slots are {@code maxActiveShoppers} minus the
 * unexpired members of the active-shoppers set (lapsed ones are dropped first). It admits nobody
 * while the event is paused, outside its sale window, or while no ticket is free; so when every
 * ticket is held the line stands still, and it moves again when holds expire.
 */
final class AdmissionControllerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionControllerVerticle.class);
  private static final long IDLE_RECHECK_MS = 10_000;

  /** Draws the pre-queue seed once; later calls keep the first one. */
  private static final RedisScript DRAW_SEED = new RedisScript("""
      if redis.call('HSETNX', KEYS[1], 'seed', ARGV[1]) == 1 then
        redis.call('HSET', KEYS[1], 'seedHash', ARGV[2])
      end
      return redis.call('HGET', KEYS[1], 'seedHash')""");

  /** Closes the pre-queue at the sale start: its size is the last number handed out by then. */
  private static final RedisScript CLOSE_PRE_QUEUE = new RedisScript("""
      if redis.call('HEXISTS', KEYS[1], 'preQueueSize') == 1 then
        return tonumber(redis.call('HGET', KEYS[1], 'preQueueSize'))
      end
      local size = 0
      if redis.call('HEXISTS', KEYS[1], 'seed') == 1 then
        size = tonumber(redis.call('GET', KEYS[2]) or '0')
      end
      redis.call('HSET', KEYS[1], 'preQueueSize', size, 'preQueueClosedAt', ARGV[1])
      return size""");

  /**
   * Admits the given arrival numbers (the next queue positions in order): each joins the
   * active-shoppers set until its admission lapses, and serving moves past them. Refuses when
   * serving is no longer what the leader read, so a deposed leader can never admit twice. The
   * admissions are counted per second of Redis's clock in the admission log (two minutes kept),
   * from which every instance reads the same achieved rate.
   *
   * <p>KEYS: serving, active shoppers, admitted total, admission log, state. ARGV: serving read, lapse
   * time, numbers...
   */
  private static final RedisScript ADMIT = new RedisScript("""
      local serving = tonumber(redis.call('GET', KEYS[1]) or '0')
      if serving ~= tonumber(ARGV[1]) then
        return -1
      end
      local count = #ARGV - 2
      for i = 3, #ARGV do
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[i])
      end
      redis.call('INCRBY', KEYS[3], count)
      local second = tonumber(redis.call('TIME')[1])
      redis.call('HINCRBY', KEYS[4], second, count)
      redis.call('HSET', KEYS[5], 'servingUpdatedAt', second * 1000)
      local fields = redis.call('HKEYS', KEYS[4])
      for _, field in ipairs(fields) do
        if tonumber(field) < second - 120 then
          redis.call('HDEL', KEYS[4], field)
        end
      end
      return redis.call('INCRBY', KEYS[1], count)""");

  private final WaitingRoomRuntime runtime;
  private final LeaderLease lease;
  private final Map<Long, Double> credits = new HashMap<>();
  private final Map<Long, Long> lastTicks = new HashMap<>();
  /** Events with nothing to do (sale over, no waiting room) are looked at again only now and then. */
  private final Map<Long, Long> idleUntil = new HashMap<>();
  private boolean stopped;
  private long timerId = -1;

  AdmissionControllerVerticle(WaitingRoomRuntime runtime) {
    this.runtime = runtime;
    this.lease = new LeaderLease(runtime.redis(), runtime.keys().admissionLeader(),
        UUID.randomUUID().toString(), runtime.settings().leaseMillis(), runtime::now);
  }

  @Override
  public Future<?> start() {
    schedule(0);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return lease.release().recover(e -> Future.succeededFuture());
  }

  /** Whether this instance leads admission right now (for tests and the ops page). */
  boolean leading() {
    return lease.valid();
  }

  private void schedule(long delay) {
    if (!stopped) {
      timerId = vertx.setTimer(Math.max(1, delay), id -> tick());
    }
  }

  private void tick() {
    long started = runtime.now();
    lease.acquireOrRenew()
        .compose(leads -> leads ? admitAll() : Future.succeededFuture())
        .onFailure(e -> LOG.warn("admission tick failed: {}", e.toString()))
        .onComplete(done -> schedule(runtime.settings().tickMillis() - (runtime.now() - started)));
  }

  private Future<Void> admitAll() {
    return runtime.redis().send(Request.cmd(Command.SMEMBERS).arg(runtime.keys().events()))
        .compose(members -> {
          List<Future<Void>> ticks = new ArrayList<>();
          if (members != null) {
            for (Response member : members) {
              long eventId = RedisReplies.longOr(member, -1);
              if (eventId > 0 && idleUntil.getOrDefault(eventId, 0L) <= runtime.now()) {
                ticks.add(tickEvent(eventId).recover(e -> {
                  LOG.warn("admission for event {} failed: {}", eventId, e.toString());
                  return Future.succeededFuture();
                }));
              }
            }
          }
          return Future.join(ticks).mapEmpty();
        });
  }

  private Future<Void> tickEvent(long eventId) {
    return runtime.snapshots().get(eventId).compose(snapshot -> {
      long now = runtime.now();
      if (snapshot == null || !snapshot.event().meta().waitingRoomOn() || snapshot.event().saleEnded(now)) {
        // Re-checked every ten seconds, as a PATCH may turn the waiting room on or extend the sale.
        idleUntil.put(eventId, now + IDLE_RECHECK_MS);
        forgetCredit(eventId);
        return Future.succeededFuture();
      }
      idleUntil.remove(eventId);
      EventInfo event = snapshot.event();
      RedisKeys.Event keys = runtime.keys().event(eventId);
      if (event.meta().randomPreQueue() && !event.saleStarted(now) && snapshot.seedHash() == null) {
        return drawSeed(keys);
      }
      if (!event.saleStarted(now)) {
        forgetCredit(eventId);
        return Future.succeededFuture();
      }
      if (event.meta().randomPreQueue() && !snapshot.preQueueClosed()) {
        return closePreQueue(eventId, keys, now);
      }
      if (event.meta().paused() || !snapshot.availability().admitsMore()) {
        forgetCredit(eventId);
        return Future.succeededFuture();
      }
      return runtime.shuffles().order(snapshot).compose(order -> admit(event, keys, order, now));
    });
  }

  /** The seed, the pre-queue's close and every rise of serving must outlive a failover (see ReplicaWait). */
  private ReplicaWait replicaWait() {
    return runtime.services().config().redis().replicaWait();
  }

  private Future<Void> drawSeed(RedisKeys.Event keys) {
    String seed = PreQueueShuffle.newSeed();
    return DRAW_SEED.run(runtime.redis(), replicaWait(), List.of(keys.state()), seed, PreQueueShuffle.seedHash(seed))
        .mapEmpty();
  }

  private Future<Void> closePreQueue(long eventId, RedisKeys.Event keys, long now) {
    return CLOSE_PRE_QUEUE.run(runtime.redis(), replicaWait(), List.of(keys.state(), keys.arrivals()), now)
        .compose(size -> {
          LOG.info("event {}: pre-queue closed with {} buyers, shuffled by the published seed", eventId, size);
          return runtime.snapshots().load(eventId);
        })
        .mapEmpty();
  }

  private Future<Void> admit(EventInfo event, RedisKeys.Event keys, PreQueueShuffle.Order order, long now) {
    double credit = credit(event, now);
    return runtime.redis().batch(List.of(
            AdmissionSlots.dropLapsed(keys, now),
            AdmissionSlots.count(keys),
            Request.cmd(Command.GET).arg(keys.serving()),
            Request.cmd(Command.GET).arg(keys.arrivals())))
        .compose(replies -> {
          long active = RedisReplies.longOr(replies.get(1), 0);
          long serving = RedisReplies.longOr(replies.get(2), 0);
          long arrivals = RedisReplies.longOr(replies.get(3), 0);
          long count = Math.min((long) Math.floor(credit),
              Math.min(event.maxActiveShoppers() - active, arrivals - serving));
          if (count <= 0 || !lease.valid()) {
            return Future.succeededFuture();
          }
          Object[] args = new Object[(int) count + 2];
          args[0] = serving;
          args[1] = now + runtime.settings().graceSeconds() * 1000L;
          for (int i = 0; i < count; i++) {
            args[i + 2] = order.numberAtPosition(serving + 1 + i);
          }
          List<String> scriptKeys = List.of(keys.serving(), keys.activeShoppers(), keys.admittedTotal(),
              keys.admissionLog(), keys.state());
          return ADMIT.run(runtime.redis(), replicaWait(), scriptKeys, args).map(reply -> {
            if (RedisReplies.longOr(reply, -1) >= 0) {
              credits.put(event.id(), credit - count);
              runtime.metrics().admitted(event.id(), count);
            }
            return null;
          });
        });
  }

  /**
   * The admissions this event has earned since its last tick. The cap (two ticks' worth) absorbs a
   * late tick followed by an early one without losing admissions, and bounds the burst after a
   * pause: over any window admissions stay within the rate plus two ticks' worth.
   */
  private double credit(EventInfo event, long now) {
    long tick = runtime.settings().tickMillis();
    long last = lastTicks.getOrDefault(event.id(), now - tick);
    lastTicks.put(event.id(), now);
    double perMilli = event.admissionRatePerMinute() / 60_000.0;
    double cap = Math.max(1.0, 2 * perMilli * tick);
    double credit = Math.min(cap, credits.getOrDefault(event.id(), 0.0) + Math.max(0, now - last) * perMilli);
    credits.put(event.id(), credit);
    return credit;
  }

  private void forgetCredit(long eventId) {
    credits.remove(eventId);
    lastTicks.remove(eventId);
  }
}
