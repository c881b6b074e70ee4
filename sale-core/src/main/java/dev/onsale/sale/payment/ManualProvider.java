package dev.onsale.sale.payment;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * The {@code manual} provider: a bank transfer. There is no session to open; the buyer's order
 * page tells them what to pay and the organizer marks the order paid
 * ({@code POST /api/v1/admin/orders/{code}/mark-paid}). Refunds cannot be made from here: they stay
 * {@code refund_due} until the organizer confirms them.
 */
public final class ManualProvider implements PaymentProvider {

  @Override
  public String name() {
    return PaymentSettings.MANUAL;
  }

  @Override
  public Future<CheckoutSession> openSession(PaymentRequest request) {
    return Future.succeededFuture(new CheckoutSession(request.paymentId().toString(), request.successUrl()));
  }

  /** Nothing arrives by itself: until the organizer marks it paid, a transfer is still open. */
  @Override
  public Future<ProviderPayment> fetch(String sessionId) {
    return Future.succeededFuture(new ProviderPayment(sessionId, null, ProviderPayment.Outcome.OPEN, 0, null, null));
  }

  @Override
  public Future<ProviderPayment> expire(String sessionId) {
    return Future.succeededFuture(new ProviderPayment(sessionId, null, ProviderPayment.Outcome.EXPIRED, 0, null, null));
  }

  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    return Future.failedFuture(new ManualRefundDue());
  }

  @Override
  public WebhookNotice verifyWebhook(Buffer rawBody, MultiMap headers) {
    throw new WebhookSignatureException("the manual provider sends no webhooks");
  }

  /** A manual refund is owed by the organizer, not failed: the payment becomes {@code refund_due}. */
  public static final class ManualRefundDue extends RuntimeException {
    ManualRefundDue() {
      super("a bank transfer is refunded by the organizer", null, false, false);
    }
  }
}
