package dev.onsale.sale;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A per-verticle cache of values loaded by event id, kept for a short time: the hot path reads
 * event settings without a database round trip. Concurrent misses share one load. A change made on
 * another instance is seen within {@code ttlMillis}.
 */
final class EventCache<T> {

  private record Entry<T>(Future<T> value, long loadedAt) {}

  private final Map<Long, Entry<T>> entries = new HashMap<>();
  private final LongFunction<Future<T>> loader;
  private final long ttlMillis;

  EventCache(long ttlMillis, LongFunction<Future<T>> loader) {
    this.ttlMillis = ttlMillis;
    this.loader = loader;
  }

  Future<T> get(long eventId) {
    long now = System.currentTimeMillis();
    Entry<T> entry = entries.get(eventId);
    if (entry != null && now - entry.loadedAt() < ttlMillis) {
      return entry.value();
    }
    if (entries.size() > 10_000) {
      entries.clear(); // bounded: unknown ids cannot grow it without limit
    }
    Future<T> value = loader.apply(eventId);
    entries.put(eventId, new Entry<>(value, now));
    return value;
  }

  void invalidate(long eventId) {
    entries.remove(eventId);
  }
}
