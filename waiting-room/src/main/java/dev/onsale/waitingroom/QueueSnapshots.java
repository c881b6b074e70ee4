package dev.onsale.waitingroom;

import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This instance's in-memory copy of the shared queue state of every event buyers are asking about.
 * One pipelined Redis batch per refresh (a few times a second) keeps them current; status polls
 * only read memory. Events nobody asked about for a while are forgotten.
 *
 * <p>Shared by every event loop of the instance: the maps are concurrent and snapshots immutable.
 */
final class QueueSnapshots {

  private static final long FORGET_AFTER_MS = 5 * 60_000;
  private static final long MISSING_CACHE_MS = 1_000;
  private static final long SLUG_CACHE_MS = 5_000;
  private static final int MAX_NEGATIVE_ENTRIES = 10_000;
  private static final int REQUESTS_PER_EVENT = 7;

  private final Redis redis;
  private final RedisKeys keys;
  private final LongSupplier clock;
  private final long staleAfterMs;
  private final long tooOldMs;
  private final Map<Long, QueueSnapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<Long, Long> lastAsked = new ConcurrentHashMap<>();
  private final Map<Long, Future<QueueSnapshot>> loading = new ConcurrentHashMap<>();
  private final Map<Long, Long> missing = new ConcurrentHashMap<>();
  private final Map<String, SlugEntry> slugs = new ConcurrentHashMap<>();

  QueueSnapshots(Vertx vertx, Redis redis, RedisKeys keys, long refreshMillis, LongSupplier clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
    // Without the refresher (it runs with the deployed controller), a snapshot still never gets
    // older than a few refresh periods: a request that finds it stale reloads it.
    this.staleAfterMs = Math.max(1_000, refreshMillis * 4);
    this.tooOldMs = Math.max(3_000, staleAfterMs * 3);
  }

  /** The event's snapshot, or null when no such event is published. */
  Future<QueueSnapshot> get(long eventId) {
    long now = clock.getAsLong();
    lastAsked.put(eventId, now);
    QueueSnapshot known = snapshots.get(eventId);
    if (known != null) {
      long age = now - known.loadedAt();
      if (age > tooOldMs) {
        // Redis has not answered for a while: a place this old would mislead the buyer. Wait for a
        // fresh one instead, which fails (503 with Retry-After) for as long as Redis is down.
        return load(eventId);
      }
      if (age > staleAfterMs) {
        load(eventId);
      }
      return Future.succeededFuture(known);
    }
    Long missingSince = missing.get(eventId);
    if (missingSince != null && now - missingSince < MISSING_CACHE_MS) {
      return Future.succeededFuture(null);
    }
    return load(eventId);
  }

  /** The in-memory snapshot without any Redis access (null when not loaded). */
  QueueSnapshot cached(long eventId) {
    return snapshots.get(eventId);
  }

  /** The id of the event with this slug, or null. */
  Future<Long> eventIdForSlug(String slug) {
    long now = clock.getAsLong();
    SlugEntry entry = slugs.get(slug);
    if (entry != null && now - entry.loadedAt < SLUG_CACHE_MS) {
      return Future.succeededFuture(entry.eventId);
    }
    return redis.send(Request.cmd(Command.GET).arg(keys.slug(slug)))
        .map(reply -> {
          long id = RedisReplies.longOr(reply, -1);
          Long eventId = id > 0 ? id : null;
          if (slugs.size() > MAX_NEGATIVE_ENTRIES) {
            slugs.clear();
          }
          slugs.put(slug, new SlugEntry(eventId, now));
          return eventId;
        });
  }

  /** Reloads every event asked about recently, in one pipelined batch. */
  Future<Void> refreshAll() {
    long now = clock.getAsLong();
    lastAsked.entrySet().removeIf(e -> {
      boolean forgotten = now - e.getValue() > FORGET_AFTER_MS;
      if (forgotten) {
        snapshots.remove(e.getKey());
      }
      return forgotten;
    });
    List<Long> ids = new ArrayList<>(lastAsked.keySet());
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Request> requests = new ArrayList<>(ids.size() * REQUESTS_PER_EVENT);
    ids.forEach(id -> requests.addAll(requestsFor(id)));
    return redis.batch(requests).map(replies -> {
      for (int i = 0; i < ids.size(); i++) {
        store(ids.get(i), replies.subList(i * REQUESTS_PER_EVENT, (i + 1) * REQUESTS_PER_EVENT), now);
      }
      return null;
    });
  }

  /** Loads one event now; concurrent callers share one Redis round trip. */
  Future<QueueSnapshot> load(long eventId) {
    Future<QueueSnapshot> inFlight = loading.get(eventId);
    if (inFlight != null) {
      return inFlight;
    }
    long now = clock.getAsLong();
    Future<QueueSnapshot> loaded = redis.batch(requestsFor(eventId))
        .map(replies -> store(eventId, replies, now))
        .eventually(() -> {
          loading.remove(eventId);
          return Future.succeededFuture();
        });
    Future<QueueSnapshot> raced = loading.putIfAbsent(eventId, loaded);
    return raced != null ? raced : loaded;
  }

  private List<Request> requestsFor(long eventId) {
    RedisKeys.Event event = keys.event(eventId);
    return List.of(
        Request.cmd(Command.HGETALL).arg(event.meta()),
        Request.cmd(Command.HGETALL).arg(event.availability()),
        Request.cmd(Command.GET).arg(event.serving()),
        Request.cmd(Command.GET).arg(event.arrivals()),
        Request.cmd(Command.HGETALL).arg(event.state()),
        Request.cmd(Command.HGETALL).arg(event.admissionLog()),
        Request.cmd(Command.TIME));
  }

  /** Redis's clock from a TIME reply (seconds, microseconds), in epoch milliseconds. */
  private long redisTime(Response reply, long fallback) {
    if (reply == null || reply.size() < 2) {
      return fallback;
    }
    return reply.get(0).toLong() * 1000 + reply.get(1).toLong() / 1000;
  }

  private QueueSnapshot store(long eventId, List<Response> replies, long loadedAt) {
    Map<String, String> meta = RedisReplies.hash(replies.get(0));
    if (meta.isEmpty()) {
      snapshots.remove(eventId);
      lastAsked.remove(eventId);
      if (missing.size() > MAX_NEGATIVE_ENTRIES) {
        missing.clear();
      }
      missing.put(eventId, loadedAt);
      return null;
    }
    missing.remove(eventId);
    QueueSnapshot fresh = QueueSnapshot.of(
        EventInfo.fromHash(eventId, meta),
        RedisReplies.hash(replies.get(1)),
        RedisReplies.longOr(replies.get(2), 0),
        RedisReplies.longOr(replies.get(3), 0),
        RedisReplies.hash(replies.get(4)),
        RedisReplies.hash(replies.get(5)),
        redisTime(replies.get(6), loadedAt),
        loadedAt);
    // A slower load that started earlier must not replace a newer snapshot.
    return snapshots.merge(eventId, fresh, (old, neu) -> neu.loadedAt() >= old.loadedAt() ? neu : old);
  }

  private record SlugEntry(Long eventId, long loadedAt) {}
}
