package dev.onsale.sale.payment;

import dev.onsale.common.OnsaleConfig;

/**
 * The payment settings of a deployment, read once from {@link OnsaleConfig}.
 *
 * @param provider {@code test} (development default), {@code manual} or {@code stripe}
 * @param sessionsPerSecond provider sessions opened per second across the whole deployment
 *     (Stripe's default limit is 25 requests per second per endpoint); past it the page retries
 * @param maxPendingTicketsPerAddress with the waiting room off, tickets one address may keep in
 *     pending orders of one event
 * @param testProviderNotifies whether the {@code test} provider's pay page notifies Onsale at once
 *     (its webhook); off, only reconciliation at the window's end settles (as if every webhook was lost)
 */
public record PaymentSettings(
    String provider, int sessionsPerSecond, int maxPendingTicketsPerAddress, boolean testProviderNotifies) {

  public static final String TEST = "test";
  public static final String MANUAL = "manual";
  public static final String STRIPE = "stripe";

  public static PaymentSettings of(OnsaleConfig config) {
    String provider = config.setting("ONSALE_PAYMENT_PROVIDER", config.production() ? "" : TEST).trim();
    if (!provider.equals(TEST) && !provider.equals(MANUAL) && !provider.equals(STRIPE)) {
      throw new IllegalArgumentException("ONSALE_PAYMENT_PROVIDER must be stripe, manual or test"
          + (provider.isEmpty() ? " (production has no default)" : ", not '" + provider + "'"));
    }
    if (provider.equals(TEST) && config.production()) {
      throw new IllegalStateException("the test payment provider takes no money: production refuses it");
    }
    int perSecond = config.intSetting("ONSALE_PAYMENT_SESSIONS_PER_SECOND", 25);
    int maxPending = config.intSetting("ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS", 20);
    if (perSecond < 1 || maxPending < 1) {
      throw new IllegalArgumentException(
          "ONSALE_PAYMENT_SESSIONS_PER_SECOND and ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS must be at least 1");
    }
    return new PaymentSettings(provider, perSecond, maxPending,
        !"false".equalsIgnoreCase(config.setting("ONSALE_TEST_PROVIDER_NOTIFY", "true")));
  }

  /** The shortest payment window an event may set with this provider. */
  public int minPaymentSeconds() {
    return STRIPE.equals(provider) ? 300 : 30;
  }
}
