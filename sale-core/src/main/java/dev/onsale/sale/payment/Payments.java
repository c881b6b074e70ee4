package dev.onsale.sale.payment;

import dev.onsale.common.Services;

/** Builds the deployment's payment provider and service from its settings. */
public final class Payments {

  private Payments() {}

  public static PaymentService service(Services services) {
    PaymentSettings settings = PaymentSettings.of(services.config());
    PaymentProvider provider = provider(services, settings);
    return new PaymentService(services.pg(), provider, services.redis(), services.keys(), settings,
        new PaymentMetrics(services.meters()).forProvider(provider.name()), services.config().publicUrl());
  }

  static PaymentProvider provider(Services services, PaymentSettings settings) {
    return switch (settings.provider()) {
      case PaymentSettings.TEST -> new TestProvider(services.redis(), services.keys());
      case PaymentSettings.MANUAL -> new ManualProvider();
      default -> StripeProvider.create(services.vertx(), services.config());
    };
  }
}
