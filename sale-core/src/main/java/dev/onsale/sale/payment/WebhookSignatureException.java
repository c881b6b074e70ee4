package dev.onsale.sale.payment;

/** A notification whose signature is missing, wrong or too old: answered 400 and counted. */
public final class WebhookSignatureException extends RuntimeException {

  public WebhookSignatureException(String message) {
    super(message, null, false, false);
  }
}
