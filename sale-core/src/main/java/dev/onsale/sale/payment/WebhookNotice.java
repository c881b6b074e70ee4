package dev.onsale.sale.payment;

/**
 * A verified notification: the provider's event id (the idempotency key of its handling) and the
 * session it reports, or a null {@code payment} for an event type Onsale does not act on.
 */
public record WebhookNotice(String eventId, String type, ProviderPayment payment) {}
