package dev.onsale.sale.payment;

import com.stripe.Stripe;
import dev.onsale.common.OnsaleConfig;

/**
 * The Stripe provider's settings, read once from {@link OnsaleConfig}.
 *
 * @param secretKey {@code ONSALE_STRIPE_SECRET_KEY}: {@code sk_live_…} in production ({@code sk_test_…} is refused there)
 * @param webhookSecret {@code ONSALE_STRIPE_WEBHOOK_SECRET}: the endpoint's signing secret, {@code whsec_…}
 * @param apiBase {@code ONSALE_STRIPE_API_BASE}: where the SDK sends its calls (Stripe's by default; tests point it at a double)
 * @param connectTimeoutMs {@code ONSALE_STRIPE_CONNECT_TIMEOUT_MS}, default 2,000
 * @param timeoutMs {@code ONSALE_STRIPE_TIMEOUT_MS}: the read timeout of one call, default 5,000
 * @param workers {@code ONSALE_STRIPE_WORKERS}: threads of the bounded pool the blocking SDK runs on, default 8
 * @param webhookToleranceSeconds {@code ONSALE_STRIPE_WEBHOOK_TOLERANCE_SECONDS}: how old a signature may be, default 300
 */
public record StripeSettings(
    String secretKey,
    String webhookSecret,
    String apiBase,
    int connectTimeoutMs,
    int timeoutMs,
    int workers,
    long webhookToleranceSeconds) {

  public static final int DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
  public static final int DEFAULT_TIMEOUT_MS = 5_000;
  public static final int DEFAULT_WORKERS = 8;
  public static final long DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

  public StripeSettings {
    if (secretKey == null || secretKey.isBlank()) {
      throw new IllegalStateException("ONSALE_STRIPE_SECRET_KEY must be set to use the stripe payment provider");
    }
    if (webhookSecret == null || webhookSecret.isBlank()) {
      throw new IllegalStateException(
          "ONSALE_STRIPE_WEBHOOK_SECRET must be set to use the stripe payment provider"
              + " (the signing secret of the webhook endpoint, whsec_...)");
    }
    if (apiBase == null || apiBase.isBlank()) {
      apiBase = Stripe.LIVE_API_BASE;
    }
    apiBase = apiBase.endsWith("/") ? apiBase.substring(0, apiBase.length() - 1) : apiBase;
    requirePositive("ONSALE_STRIPE_CONNECT_TIMEOUT_MS", connectTimeoutMs);
    requirePositive("ONSALE_STRIPE_TIMEOUT_MS", timeoutMs);
    requirePositive("ONSALE_STRIPE_WORKERS", workers);
    requirePositive("ONSALE_STRIPE_WEBHOOK_TOLERANCE_SECONDS", webhookToleranceSeconds);
  }

  /** Reads the settings; production refuses test keys, a missing secret and a plain-HTTP API base. */
  public static StripeSettings from(OnsaleConfig config) {
    StripeSettings settings = new StripeSettings(
        config.setting("ONSALE_STRIPE_SECRET_KEY", null),
        config.setting("ONSALE_STRIPE_WEBHOOK_SECRET", null),
        config.setting("ONSALE_STRIPE_API_BASE", Stripe.LIVE_API_BASE),
        config.intSetting("ONSALE_STRIPE_CONNECT_TIMEOUT_MS", DEFAULT_CONNECT_TIMEOUT_MS),
        config.intSetting("ONSALE_STRIPE_TIMEOUT_MS", DEFAULT_TIMEOUT_MS),
        config.intSetting("ONSALE_STRIPE_WORKERS", DEFAULT_WORKERS),
        config.longSetting("ONSALE_STRIPE_WEBHOOK_TOLERANCE_SECONDS", DEFAULT_WEBHOOK_TOLERANCE_SECONDS));
    return config.production() ? settings.validatedForProduction() : settings;
  }

  /** A test key takes no money: production must not run on one, nor send its key in clear. */
  public StripeSettings validatedForProduction() {
    if (secretKey.startsWith("sk_test_") || secretKey.startsWith("rk_test_")) {
      throw new IllegalStateException(
          "ONSALE_STRIPE_SECRET_KEY is a test-mode key (sk_test_...): production needs a live key (sk_live_...)");
    }
    if (!apiBase.startsWith("https://")) {
      throw new IllegalStateException("ONSALE_STRIPE_API_BASE must be an https:// address in production, not " + apiBase);
    }
    return this;
  }

  @Override
  public String toString() {
    // Never print the secrets.
    return "StripeSettings[apiBase=" + apiBase + ", connectTimeoutMs=" + connectTimeoutMs + ", timeoutMs="
        + timeoutMs + ", workers=" + workers + ", webhookToleranceSeconds=" + webhookToleranceSeconds + "]";
  }

  private static void requirePositive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be above zero, not " + value);
    }
  }
}
