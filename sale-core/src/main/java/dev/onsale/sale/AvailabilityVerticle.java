package dev.onsale.sale;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Redis (for the waiting room) and the {@code onsale_tickets_available} gauge in step with the
 * ticket rows: events whose availability changed are published within half a second, every live
 * event every two seconds, and every live event's settings every ten (so a Redis that lost its
 * data is refilled without anyone's help). Each refresh counts the event's open tickets, so the
 * rhythm is kept slow: during a sale the event is always "changed".
 */
final class AvailabilityVerticle extends VerticleBase {

  static final String DIRTY_ADDRESS = "onsale.sale.availability.dirty";
  private static final Logger LOG = LoggerFactory.getLogger(AvailabilityVerticle.class);
  private static final long DIRTY_TICK_MS = 500;
  private static final long FULL_EVERY_TICKS = 4;
  private static final long META_EVERY_TICKS = 20;

  private final EventRepository events;
  private final EventPublisher publisher;
  private final MeterRegistry meters;
  private final Set<Long> dirty = new HashSet<>();
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
  private long ticks;
  private long timer;
  private boolean busy;

  AvailabilityVerticle(EventRepository events, EventPublisher publisher, MeterRegistry meters) {
    this.events = events;
    this.publisher = publisher;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Long>localConsumer(DIRTY_ADDRESS, message -> dirty.add(message.body()));
    timer = vertx.setPeriodic(DIRTY_TICK_MS, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void tick() {
    if (busy) {
      return; // the previous round is still running: skip rather than pile up
    }
    ticks++;
    boolean full = ticks % FULL_EVERY_TICKS == 1;
    boolean meta = ticks % META_EVERY_TICKS == 1;
    if (!full && dirty.isEmpty()) {
      return;
    }
    Set<Long> changed = new HashSet<>(dirty);
    dirty.clear();
    busy = true;
    Future<List<Long>> ids = full
        ? events.liveEventIds().map(live -> {
          changed.addAll(live);
          return List.copyOf(changed);
        })
        : Future.succeededFuture(List.copyOf(changed));
    ids.compose(list -> Future.join(list.stream().map(id -> refresh(id, meta)).toList()))
        .onFailure(e -> LOG.warn("availability refresh failed: {}", e.toString()))
        .onComplete(ignored -> busy = false);
  }

  private Future<Void> refresh(long eventId, boolean withMeta) {
    return events.find(eventId)
        .compose(event -> (withMeta ? publisher.publishMeta(event) : Future.<Void>succeededFuture())
            .transform(ignored -> events.availability(event)))
        .compose(availability -> {
          recordGauges(availability);
          return publisher.publishAvailability(availability);
        });
  }

  private void recordGauges(Availability availability) {
    for (Availability.PerCategory c : availability.categories()) {
      String key = availability.eventId() + ":" + c.categoryId();
      gauges.computeIfAbsent(key, k -> {
        AtomicLong value = new AtomicLong();
        Gauge.builder("onsale.tickets.available", value, AtomicLong::get)
            .description("Tickets free to reserve now")
            .tag("event", String.valueOf(availability.eventId()))
            .tag("category", String.valueOf(c.categoryId()))
            .register(meters);
        return value;
      }).set(c.available());
    }
  }
}
