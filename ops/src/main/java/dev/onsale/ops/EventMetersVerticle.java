package dev.onsale.ops;

import dev.onsale.common.QueueCounts;
import dev.onsale.common.RedisKeys;
import dev.onsale.common.Services;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every per-event metric DESIGN.md names exist from the start, at zero, for every event the
 * sale core has published ({@code keys.events()}): {@code onsale_orders_total},
 * {@code onsale_reservations_total} per outcome, {@code onsale_queue_joined_total},
 * {@code onsale_queue_admitted_total} and {@code onsale_queue_waiting}, which it keeps up to date
 * from Redis (arrivals minus serving). Micrometer hands the same meter to whoever registers the same
 * name and tags, so the sale core's and the waiting room's counters count into these.
 */
public final class EventMetersVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(EventMetersVerticle.class);
  static final List<String> RESERVATION_OUTCOMES = List.of("created", "sold_out", "rejected");

  private final Services services;
  private final long intervalMs;
  private final Map<Long, AtomicLong> waiting = new ConcurrentHashMap<>();
  private boolean stopped;
  private long timerId = -1;
  private boolean lastFailed;

  public EventMetersVerticle(Services services, long intervalMs) {
    this.services = services;
    this.intervalMs = Math.max(100, intervalMs);
  }

  @Override
  public Future<?> start() {
    tick();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  private void tick() {
    if (stopped) {
      return;
    }
    refresh()
        .onSuccess(ignored -> lastFailed = false)
        .onFailure(e -> {
          if (!lastFailed) {
            LOG.atWarn().addKeyValue("component", "event_meters").log("reading the events for their metrics failed: {}", e.getMessage());
          }
          lastFailed = true;
        })
        .onComplete(ignored -> {
          if (!stopped) {
            timerId = vertx.setTimer(intervalMs, id -> tick());
          }
        });
  }

  private Future<Void> refresh() {
    RedisKeys keys = services.keys();
    return services.redisApi().smembers(keys.events()).compose(members -> {
      List<Long> ids = new ArrayList<>();
      for (Response member : members) {
        try {
          ids.add(Long.parseLong(member.toString()));
        } catch (NumberFormatException ignored) {
          // not an event id
        }
      }
      if (ids.isEmpty()) {
        return Future.succeededFuture();
      }
      // One read per event, not one batch for all: the events' keys sit on different cluster slots.
      List<Future<QueueCounts>> counts = new ArrayList<>();
      for (long id : ids) {
        counts.add(QueueCounts.read(services.redis(), keys.event(id)));
      }
      return Future.all(counts).map(all -> {
        for (int i = 0; i < ids.size(); i++) {
          meters(ids.get(i)).set(counts.get(i).result().waiting());
        }
        return null;
      });
    });
  }

  /** The event's "waiting" value, registering all its meters the first time. */
  private AtomicLong meters(long eventId) {
    return waiting.computeIfAbsent(eventId, id -> {
      MeterRegistry meters = services.meters();
      String event = String.valueOf(id);
      Counter.builder("onsale.orders").description("Orders placed").tag("event", event).register(meters);
      for (String outcome : RESERVATION_OUTCOMES) {
        Counter.builder("onsale.reservations").description("Reservation attempts by outcome")
            .tag("event", event).tag("outcome", outcome).register(meters);
      }
      for (String outcome : dev.onsale.common.PaymentOutcomes.ALL) {
        Counter.builder("onsale.payments").description("Payments settled, by outcome")
            .tag("event", event).tag("outcome", outcome).register(meters);
      }
      Counter.builder("onsale.queue.joined").description("Buyers who took a queue number").tag("event", event).register(meters);
      Counter.builder("onsale.queue.admitted").description("Buyers admitted into the shop").tag("event", event).register(meters);
      AtomicLong value = new AtomicLong();
      Gauge.builder("onsale.queue.waiting", value, AtomicLong::get).description("Buyers in the queue not yet admitted")
          .tag("event", event).strongReference(true).register(meters);
      return value;
    });
  }
}
