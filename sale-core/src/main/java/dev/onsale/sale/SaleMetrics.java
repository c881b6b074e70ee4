package dev.onsale.sale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The sale's counters, named as DESIGN.md fixes them; labels are the event id and the outcome. */
final class SaleMetrics {

  static final String CREATED = "created";
  static final String SOLD_OUT = "sold_out";
  static final String REJECTED = "rejected";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  SaleMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void reservation(long eventId, String outcome) {
    counters.computeIfAbsent("r:" + eventId + ":" + outcome, k -> Counter.builder("onsale.reservations")
        .description("Reservation attempts by outcome")
        .tag("event", String.valueOf(eventId))
        .tag("outcome", outcome)
        .register(registry)).increment();
  }

  void order(long eventId) {
    counters.computeIfAbsent("o:" + eventId, k -> Counter.builder("onsale.orders")
        .description("Orders placed")
        .tag("event", String.valueOf(eventId))
        .register(registry)).increment();
  }
}
