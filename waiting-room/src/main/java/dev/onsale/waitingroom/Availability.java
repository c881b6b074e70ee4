package dev.onsale.waitingroom;

import dev.onsale.common.EventAvailability;
import java.util.Map;

/**
 * Ticket totals the sale core publishes about every second. {@code known} is false until it has
 * published anything, in which case the waiting room neither admits on inventory nor says sold out.
 */
record Availability(boolean known, long capacity, long available, long held, long pending, long sold,
                    long nextReleaseAt, long updatedAt) {

  static final Availability UNKNOWN = new Availability(false, 0, 0, 0, 0, 0, 0, 0);

  static Availability fromHash(Map<String, String> hash) {
    EventAvailability published = EventAvailability.fromHash(hash);
    if (published == null) {
      return UNKNOWN;
    }
    return new Availability(true, published.capacity(), published.available(), published.held(), published.pending(),
        published.sold(), published.nextReleaseAt(), published.updatedAt());
  }

  /**
   * No ticket is free and none held or kept for a payment can come back: nobody still waiting can
   * buy. While tickets are in baskets the waiting room says so instead ("some may come back").
   */
  boolean soldOut() {
    return known && available <= 0 && held <= 0 && pending <= 0;
  }

  /** Every ticket is in a basket (held, or kept while its buyer pays): some may come back. */
  boolean allInBaskets() {
    return known && available <= 0 && (held > 0 || pending > 0);
  }

  /** Admitting more buyers only makes sense while a ticket is free right now. */
  boolean admitsMore() {
    return !known || available > 0;
  }
}
