package dev.onsale.sale.payment;

import dev.onsale.common.PaymentOutcomes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code onsale_payments_total{event,outcome}} and the count of notifications refused for their
 * signature ({@code onsale_payments_webhook_rejected_total{provider}}), which alerts.
 */
public final class PaymentMetrics {

  private final MeterRegistry registry;

  public PaymentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts what settling a payment did; {@code paid} counts as {@code succeeded}. */
  public void settled(long eventId, String result) {
    String outcome = "paid".equals(result) ? "succeeded" : result;
    if (PaymentOutcomes.ALL.contains(outcome)) {
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
