package dev.onsale.sale.payment;

/** A provider's checkout session: its id, and where the buyer pays. */
public record CheckoutSession(String sessionId, String url) {}
