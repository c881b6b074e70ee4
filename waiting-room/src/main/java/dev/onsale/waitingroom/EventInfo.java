package dev.onsale.waitingroom;

import dev.onsale.common.EventMeta;
import java.util.Map;

/**
 * One event as the waiting room uses it: what the sale core published ({@link #meta()}, times in
 * epoch milliseconds), with the waiting room's bounds on the values it paces and checks by.
 */
record EventInfo(EventMeta meta) {

  static final int MAX_POW_DIFFICULTY = 32;

  static EventInfo fromHash(long id, Map<String, String> hash) {
    return new EventInfo(EventMeta.fromHash(id, hash));
  }

  long id() {
    return meta.id();
  }

  /** Admissions per minute, at least one. */
  int admissionRatePerMinute() {
    return Math.max(1, meta.admissionRatePerMinute());
  }

  /** Shoppers admitted at the same time, at least one. */
  int maxActiveShoppers() {
    return Math.max(1, meta.maxActiveShoppers());
  }

  /**
   * The leading zero bits a proof-of-work solution needs ({@code powDifficulty}, default 17: the
   * 95th percentile of the page's solve at 6x CPU throttling stays within 5 s, see
   * docs/PERFORMANCE.md), 1 to 32.
   */
  int powDifficulty() {
    return Math.max(1, Math.min(MAX_POW_DIFFICULTY, meta.powDifficulty()));
  }

  boolean queueOpen(long now) {
    return now >= meta.queueOpensAt();
  }

  boolean saleStarted(long now) {
    return now >= meta.saleStartsAt();
  }

  boolean saleEnded(long now) {
    return now >= meta.saleEndsAt();
  }
}
