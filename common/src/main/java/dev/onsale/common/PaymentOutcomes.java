package dev.onsale.common;

import java.util.List;

/**
 * The {@code outcome} label values of {@code onsale_payments_total} (DESIGN.md, "Paying for
 * tickets"), spelled once: the sale core counts them, the ops role registers each at zero.
 */
public final class PaymentOutcomes {

  private PaymentOutcomes() {}

  public static final List<String> ALL = List.of("succeeded", "failed", "expired", "late_completed",
      "late_refunded", "duplicate_refunded", "mismatch_refunded", "refunded", "refund_failed");
}
