package dev.onsale.sale.payment;

import java.util.UUID;

/**
 * A session as the provider reports it.
 *
 * @param paymentId Onsale's payment id, read back from the provider's reference; null if absent
 * @param chargeRef what a refund names (Stripe: the payment intent); null until paid
 */
public record ProviderPayment(
    String sessionId, UUID paymentId, Outcome outcome, long amountMinor, String currency, String chargeRef) {

  public enum Outcome {
    /** Not paid yet; the buyer may still pay. */
    OPEN,
    /** Completed, money not confirmed yet (an asynchronous method such as a bank debit). */
    PROCESSING,
    /** Money confirmed: the only outcome that may mark an order paid. */
    PAID,
    /** Declined or failed; the buyer may try again with a new attempt. */
    FAILED,
    /** Ended unpaid. */
    EXPIRED
  }
}
