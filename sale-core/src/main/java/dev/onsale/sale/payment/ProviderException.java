package dev.onsale.sale.payment;

/**
 * A provider call that failed. {@code retryable} for timeouts, 429 and 5xx (the caller fetches the
 * object before trying again); not for a request the provider refused for good.
 */
public final class ProviderException extends RuntimeException {

  private final boolean retryable;
  private final String code;

  public ProviderException(String message, boolean retryable, String code, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.code = code;
  }

  public boolean retryable() {
    return retryable;
  }

  /** The provider's error code when it gave one (Stripe: e.g. {@code charge_already_refunded}). */
  public String code() {
    return code;
  }
}
