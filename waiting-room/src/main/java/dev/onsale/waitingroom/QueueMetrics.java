package dev.onsale.waitingroom;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The waiting room's meters, one set per event (label {@code event}). Every instance reports the
 * same {@code onsale_queue_waiting} (it comes from Redis), so dashboards take its max across
 * instances; the counters count what this instance did, so dashboards sum them.
 */
final class QueueMetrics {

  private final MeterRegistry registry;
  private final QueueSnapshots snapshots;
  private final Map<Long, Counter> joined = new ConcurrentHashMap<>();
  private final Map<Long, Counter> admitted = new ConcurrentHashMap<>();
  private final Map<Long, Gauge> waiting = new ConcurrentHashMap<>();

  QueueMetrics(MeterRegistry registry, QueueSnapshots snapshots) {
    this.registry = registry;
    this.snapshots = snapshots;
  }

  void joined(long eventId) {
    watch(eventId);
    joined.computeIfAbsent(eventId, id -> Counter.builder("onsale.queue.joined")
        .description("Buyers who took a queue number")
        .tag("event", String.valueOf(id))
        .register(registry)).increment();
  }

  void admitted(long eventId, long count) {
    watch(eventId);
    admitted.computeIfAbsent(eventId, id -> Counter.builder("onsale.queue.admitted")
        .description("Buyers admitted into the shop")
        .tag("event", String.valueOf(id))
        .register(registry)).increment(count);
  }

  /** Starts reporting the number waiting for this event. */
  void watch(long eventId) {
    waiting.computeIfAbsent(eventId, id -> Gauge.builder("onsale.queue.waiting", snapshots, s -> {
              QueueSnapshot snapshot = s.cached(id);
              return snapshot == null ? 0 : snapshot.waiting();
            })
        .description("Buyers in the queue not yet admitted")
        .tag("event", String.valueOf(id))
        .strongReference(true)
        .register(registry));
  }
}
