package dev.onsale.sale.payment;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * A payment provider behind one small interface: {@code stripe}, {@code manual} or {@code test}.
 *
 * <p>Calls that reach the provider return futures and never run on an event loop nor inside a
 * database transaction: an implementation that blocks (the Stripe SDK does) runs them on its own
 * bounded worker pool, with short timeouts. Every call is safe to repeat: the provider's own
 * idempotency keys are derived from Onsale's ids ({@code onsale:<paymentId>:create}) and reused on
 * every retry.
 */
public interface PaymentProvider {

  /** {@code stripe}, {@code manual} or {@code test}: stored on each payment row. */
  String name();

  /** Creates the checkout session for a payment row already written, or finds the one created. */
  Future<CheckoutSession> openSession(PaymentRequest request);

  /** What the provider knows of a session now (reconciliation asks this; webhooks are not trusted alone). */
  Future<ProviderPayment> fetch(String sessionId);

  /** Ends a session so that it can no longer be paid; answers its state afterwards (it may have been paid). */
  Future<ProviderPayment> expire(String sessionId);

  /** Refunds a paid session in full; a payment already refunded counts as done. */
  Future<RefundResult> refund(RefundRequest request);

  /**
   * Verifies a notification on its raw body and reads it. Runs on the event loop: it only checks a
   * signature and parses JSON.
   *
   * @throws WebhookSignatureException when the signature is missing, wrong or too old
   */
  WebhookNotice verifyWebhook(Buffer rawBody, MultiMap headers);
}
