package dev.onsale.sale.payment;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What a provider needs to open a checkout session: Onsale's payment id travels as the provider's
 * reference ({@code client_reference_id}), amounts are integers in ISO 4217 minor units.
 */
public record PaymentRequest(
    UUID paymentId,
    String orderCode,
    long amountMinor,
    String currency,
    List<Line> lines,
    String buyerEmail,
    Instant expiresAt,
    String successUrl,
    String cancelUrl) {

  /** One line of the order: a category, its kept unit price and how many. */
  public record Line(String name, long unitAmountMinor, int quantity) {}
}
