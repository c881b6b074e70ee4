package dev.onsale.sale.payment;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * {@code onsale_payments_total{event,outcome}} and the count of notifications refused for their
 * signature ({@code onsale_payments_webhook_rejected_total{provider}}), which alerts.
 */
public final class PaymentMetrics {

  public static final List<String> OUTCOMES = List.of("succeeded", "failed", "expired", "late_completed",
      "late_refunded", "duplicate_refunded", "mismatch_refunded", "refunded", "refund_failed");

  private final MeterRegistry registry;

  public PaymentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers every outcome at zero, so that dashboards and alerts see the series from the start. */
  public void register(long eventId) {
    OUTCOMES.forEach(outcome -> counter(eventId, outcome));
  }

  /** Counts what settling a payment did; {@code paid} counts as {@code succeeded}. */
  public void settled(long eventId, String result) {
    String outcome = "paid".equals(result) ? "succeeded" : result;
    if (OUTCOMES.contains(outcome)) {
      counter(eventId, outcome).increment();
    }
  }

  public void webhookRejected(String provider) {
    rejected(provider).increment();
  }

  /** Registers the provider's count of refused notifications at zero, so that its alert rule has a series. */
  public PaymentMetrics forProvider(String provider) {
    rejected(provider);
    return this;
  }

  private Counter rejected(String provider) {
    return Counter.builder("onsale.payments.webhook.rejected")
        .description("Payment notifications refused for a missing or wrong signature")
        .tag("provider", provider)
        .register(registry);
  }

  private Counter counter(long eventId, String outcome) {
    return Counter.builder("onsale.payments")
        .description("Payments settled, by outcome")
        .tag("event", String.valueOf(eventId))
        .tag("outcome", outcome)
        .register(registry);
  }
}
