package dev.onsale.sale.payment;

import java.util.UUID;

/** A full refund of one paid session; {@code idempotencyKey} is {@code onsale:<paymentId>:refund}. */
public record RefundRequest(
    UUID paymentId, String sessionId, String chargeRef, long amountMinor, String currency, String idempotencyKey) {

  public static String keyFor(UUID paymentId) {
    return "onsale:" + paymentId + ":refund";
  }
}
