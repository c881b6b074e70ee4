package dev.onsale.app;

import dev.onsale.common.OnsaleConfig;
import dev.onsale.sale.payment.PaymentSettings;

/**
 * What {@code onsale demo} decides from the settings it was given: it keeps the mails in-process
 * unless a mail server is named, and lets its simulated crowd join from one address unless a join
 * rate is set.
 *
 * @param mailServerNamed {@code ONSALE_SMTP_HOST} is set
 * @param joinRateSet {@code ONSALE_JOIN_RATE_PER_MINUTE} is set
 * @param paymentProvider {@code ONSALE_PAYMENT_PROVIDER}, default {@code test}
 */
record DemoSettings(boolean mailServerNamed, boolean joinRateSet, String paymentProvider) {

  static final String SMTP_HOST = "ONSALE_SMTP_HOST";
  static final String SMTP_PORT = "ONSALE_SMTP_PORT";
  static final String JOIN_RATE = "ONSALE_JOIN_RATE_PER_MINUTE";

  static DemoSettings of(OnsaleConfig config) {
    return new DemoSettings(
        !config.setting(SMTP_HOST, "").isBlank(),
        !config.setting(JOIN_RATE, "").isBlank(),
        config.setting("ONSALE_PAYMENT_PROVIDER", PaymentSettings.TEST));
  }
}
