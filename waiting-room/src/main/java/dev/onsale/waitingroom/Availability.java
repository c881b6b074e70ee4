package dev.onsale.waitingroom;

import java.util.Map;

/**
 * Ticket totals the sale core publishes about every second. {@code known} is false until it has
 * published anything, in which case the waiting room neither admits on inventory nor says sold out.
 * {@code pending} counts tickets kept for orders awaiting payment (0 until the sale core publishes it).
 */
record Availability(boolean known, long capacity, long available, long held, long sold, long pending,
    long updatedAt) {

  static final Availability UNKNOWN = new Availability(false, 0, 0, 0, 0, 0, 0);

  static Availability fromHash(Map<String, String> hash) {
    if (!hash.containsKey("available")) {
      return UNKNOWN;
    }
    return new Availability(
        true,
        RedisReplies.longOf(hash, "capacity", 0),
        RedisReplies.longOf(hash, "available", 0),
        RedisReplies.longOf(hash, "held", 0),
        RedisReplies.longOf(hash, "sold", 0),
        RedisReplies.longOf(hash, "pending", 0),
        RedisReplies.longOf(hash, "updatedAt", 0));
  }

  /** No ticket is free and no hold or unpaid order can give one back: nobody still waiting can buy. */
  boolean soldOut() {
    return known && available <= 0 && held <= 0 && pending <= 0;
  }

  /** Admitting more buyers only makes sense while a ticket is free right now. */
  boolean admitsMore() {
    return !known || available > 0;
  }
}
