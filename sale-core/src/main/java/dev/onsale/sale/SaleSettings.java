package dev.onsale.sale;

import dev.onsale.common.OnsaleConfig;

/**
 * The sale core's own settings, read once where its routes are built ({@link SaleCore#webModule})
 * and passed to the classes that use them. The payment settings are their own records
 * ({@code PaymentSettings}, {@code StripeSettings}).
 *
 * @param trustForwardedFor take the client address from the last {@code X-Forwarded-For} entry
 *     (only behind a proxy that sets it; {@code ONSALE_TRUST_FORWARDED_FOR}, default false)
 * @param reservationBatchSize up to that many buyers of one category share a claim transaction
 *     ({@code ONSALE_RESERVATION_BATCH_SIZE}, default 64; 1 or less turns the coalescing off)
 * @param reservationQueueLimit buyers of one category that may wait in memory for the next claim
 *     before the next is told to retry ({@code ONSALE_RESERVATION_QUEUE_LIMIT}, default 20,000);
 *     read only when batching is on, so a value beside batching off is ignored, not refused
 */
public record SaleSettings(boolean trustForwardedFor, int reservationBatchSize, int reservationQueueLimit) {

  static final int DEFAULT_RESERVATION_BATCH_SIZE = 64;
  static final int DEFAULT_RESERVATION_QUEUE_LIMIT = 20_000;

  public static SaleSettings of(OnsaleConfig config) {
    int batchSize = config.intSetting("ONSALE_RESERVATION_BATCH_SIZE", DEFAULT_RESERVATION_BATCH_SIZE);
    return new SaleSettings(
        Boolean.parseBoolean(config.setting("ONSALE_TRUST_FORWARDED_FOR", "false")),
        batchSize,
        batchSize <= 1
            ? DEFAULT_RESERVATION_QUEUE_LIMIT
            : config.intSetting("ONSALE_RESERVATION_QUEUE_LIMIT", DEFAULT_RESERVATION_QUEUE_LIMIT));
  }

  /** Whether single-category reservations are coalesced into shared claim transactions. */
  public boolean batching() {
    return reservationBatchSize > 1;
  }
}
