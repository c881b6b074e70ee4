package dev.onsale.sale.payment;

/** A refund the provider accepted; {@code alreadyRefunded} when it had been refunded before. */
public record RefundResult(String refundId, boolean alreadyRefunded) {}
