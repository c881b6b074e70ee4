package dev.onsale.sale.payment;

import com.stripe.Stripe;
import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.Refund;
import com.stripe.model.checkout.Session;
import com.stripe.net.HttpClient;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.RefundListParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.onsale.common.OnsaleConfig;
import dev.onsale.sale.payment.ProviderPayment.Outcome;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Stripe through its official SDK ({@code stripe-java}): cards through a Checkout Session.
 *
 * <p><b>API version.</b> The SDK pins the version it was generated for, {@link #API_VERSION}, and sends
 * it as {@code Stripe-Version} on every call; the webhook endpoint should be created with the same
 * version. Webhook events are read from their JSON here, not through the SDK's typed event objects,
 * using only fields that every recent version carries ({@code id}, {@code type}, and of the session
 * {@code id}, {@code status}, {@code payment_status}, {@code amount_total}, {@code currency},
 * {@code client_reference_id}, {@code metadata}, {@code payment_intent} as an id or an expanded
 * object): an event of another API version is read the same way.
 *
 * <p><b>Threads.</b> The SDK blocks, so every call runs on a bounded shared worker pool
 * ({@code onsale-stripe}), never on an event loop, with short connect and read timeouts. The SDK's own
 * network retries are off: the caller decides when to try again.
 *
 * <p><b>Retries.</b> A {@link ProviderException} that is {@code retryable} (429, 409, 5xx, timeouts,
 * connection failures) may be repeated with the same request. Every create carries an idempotency key
 * derived from Onsale's ids ({@code onsale:<paymentId>:create}, {@link RefundRequest#idempotencyKey()}):
 * <ul>
 *   <li>creating a session after a 5xx or a timeout: the retry <em>is</em> the fetch. Stripe keeps the
 *       answer of a key for 24 hours, so repeating the create with the same key and parameters answers the
 *       session already made, if one was made, and never makes a second one. (Stripe cannot be asked
 *       for a session by {@code client_reference_id}; listing recent sessions to find it would cost a
 *       call and still race a create in flight.)</li>
 *   <li>refunding after a 5xx or a timeout: before failing, the refunds of the payment intent are
 *       looked up; a refund found there is the answer. Otherwise the caller's retry repeats the key.</li>
 * </ul>
 */
public final class StripeProvider implements PaymentProvider {

  public static final String NAME = "stripe";
  /** The Stripe API version the SDK is pinned to (stripe-java 33.3.0: {@code 2026-07-29.dahlia}). */
  public static final String API_VERSION = Stripe.API_VERSION;
  public static final String SIGNATURE_HEADER = "Stripe-Signature";
  public static final String METADATA_PAYMENT_ID = "onsale_payment_id";
  public static final String METADATA_ORDER = "onsale_order";

  private static final Set<String> REFUND_STANDING = Set.of("succeeded", "pending", "requires_action");

  private final StripeSettings settings;
  private final StripeClient client;
  private final WorkerExecutor workers;

  public StripeProvider(Vertx vertx, StripeSettings settings) {
    this(vertx, settings, null);
  }

  /** With an SDK HTTP client of the test's choosing (to see which thread calls out); null for the SDK's own. */
  StripeProvider(Vertx vertx, StripeSettings settings, HttpClient httpClient) {
    this.settings = settings;
    StripeClient.StripeClientBuilder builder = StripeClient.builder()
        .setApiKey(settings.secretKey())
        .setApiBase(settings.apiBase())
        .setConnectTimeout(settings.connectTimeoutMs())
        .setReadTimeout(settings.timeoutMs())
        .setMaxNetworkRetries(0);
    if (httpClient != null) {
      builder.setHttpClient(httpClient);
    }
    this.client = builder.build();
    // maxExecuteTime only decides when Vert.x warns of a blocked worker: a call takes at most connect + read.
    this.workers = vertx.createSharedWorkerExecutor(
        "onsale-stripe", settings.workers(), 2L * (settings.connectTimeoutMs() + settings.timeoutMs()),
        TimeUnit.MILLISECONDS);
  }

  /** Reads {@link StripeSettings} from the configuration; production refuses test keys and missing secrets. */
  public static StripeProvider create(Vertx vertx, OnsaleConfig config) {
    return new StripeProvider(vertx, StripeSettings.from(config));
  }

  @Override
  public String name() {
    return NAME;
  }

  public StripeSettings settings() {
    return settings;
  }

  @Override
  public Future<CheckoutSession> openSession(PaymentRequest request) {
    SessionCreateParams params;
    try {
      params = sessionParams(request);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new ProviderException(e.getMessage(), false, "onsale_invalid_request", e));
    }
    RequestOptions options = RequestOptions.builder()
        .setIdempotencyKey(createKey(request.paymentId()))
        .build();
    return call("create checkout session", () -> client.v1().checkout().sessions().create(params, options))
        .map(session -> new CheckoutSession(session.getId(), session.getUrl()));
  }

  /** The idempotency key of a payment's session: the same on every retry of the same payment row. */
  public static String createKey(UUID paymentId) {
    return "onsale:" + paymentId + ":create";
  }

  @Override
  public Future<ProviderPayment> fetch(String sessionId) {
    return call("retrieve checkout session", () -> toPayment(retrieve(sessionId)));
  }

  @Override
  public Future<ProviderPayment> expire(String sessionId) {
    return call("expire checkout session", () -> {
      try {
        return toPayment(client.v1().checkout().sessions()
            .expire(sessionId));
      } catch (InvalidRequestException refused) {
        // Stripe refuses to expire a session that is no longer open (paid, completed or expired already):
        // what it has become is the answer.
        Session session = retrieve(sessionId);
        if ("open".equals(session.getStatus())) {
          throw refused;
        }
        return toPayment(session);
      }
    });
  }

  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    String key = request.idempotencyKey() != null ? request.idempotencyKey() : RefundRequest.keyFor(request.paymentId());
    return call("refund", () -> {
      String paymentIntent = request.chargeRef() != null ? request.chargeRef() : retrieve(request.sessionId()).getPaymentIntent();
      if (paymentIntent == null) {
        throw new ProviderException(
            "stripe refund: session " + request.sessionId() + " has no payment intent to refund", false, "no_payment", null);
      }
      RefundCreateParams.Builder params = RefundCreateParams.builder().setPaymentIntent(paymentIntent);
      if (request.paymentId() != null) {
        params.putMetadata(METADATA_PAYMENT_ID, request.paymentId().toString());
      }
      try {
        Refund refund = client.v1().refunds()
            .create(params.build(), RequestOptions.builder().setIdempotencyKey(key).build());
        return new RefundResult(refund.getId(), false);
      } catch (StripeException e) {
        if ("charge_already_refunded".equals(e.getCode())) {
          Refund earlier = standingRefundOrNull(paymentIntent, e);
          return new RefundResult(earlier == null ? null : earlier.getId(), true);
        }
        if (retryable(e)) {
          // The refund may have been made before the answer was lost: look before anyone tries again.
          Refund made = standingRefundOrNull(paymentIntent, e);
          if (made != null) {
            return new RefundResult(made.getId(), false);
          }
        }
        throw e;
      }
    });
  }

  @Override
  public WebhookNotice verifyWebhook(Buffer rawBody, MultiMap headers) {
    String signature = headers == null ? null : headers.get(SIGNATURE_HEADER);
    if (signature == null || signature.isBlank()) {
      throw new WebhookSignatureException("no " + SIGNATURE_HEADER + " header");
    }
    String payload = rawBody == null ? "" : rawBody.toString(StandardCharsets.UTF_8);
    try {
      Webhook.Signature.verifyHeader(payload, signature, settings.webhookSecret(), settings.webhookToleranceSeconds());
    } catch (SignatureVerificationException e) {
      throw new WebhookSignatureException("bad Stripe signature: " + e.getMessage());
    }
    JsonObject event;
    try {
      event = new JsonObject(payload);
    } catch (DecodeException | ClassCastException e) {
      // Signed by the secret, yet not an event: answered like a bad signature (400), never retried forever.
      throw new WebhookSignatureException("signed body is not a Stripe event: " + e.getMessage());
    }
    String eventId = event.getString("id");
    String type = event.getString("type");
    if (eventId == null || type == null || !"event".equals(event.getString("object"))) {
      throw new WebhookSignatureException("signed body is not a Stripe event (no id, type or object 'event')");
    }
    JsonObject data = event.getJsonObject("data");
    JsonObject object = data == null ? null : data.getJsonObject("object");
    Outcome outcome = webhookOutcome(type, object == null ? null : object.getString("payment_status"));
    if (outcome == null || object == null || !"checkout.session".equals(object.getString("object"))) {
      return new WebhookNotice(eventId, type, null);
    }
    Object paymentIntent = object.getValue("payment_intent");
    String chargeRef = paymentIntent instanceof JsonObject expanded ? expanded.getString("id")
        : paymentIntent instanceof String id ? id : null;
    JsonObject metadata = object.getJsonObject("metadata");
    return new WebhookNotice(eventId, type, payment(
        object.getString("id"),
        object.getString("client_reference_id"),
        metadata == null ? null : metadata.getString(METADATA_PAYMENT_ID),
        outcome,
        object.getLong("amount_total"),
        object.getString("currency"),
        chargeRef));
  }

  /** Lets go of this provider's share of the worker pool. */
  public Future<Void> close() {
    return workers.close();
  }

  // --- mapping ---

  /**
   * What a session's state means: paid only when complete with its money confirmed; complete but
   * unpaid (an asynchronous method) is still processing.
   */
  static Outcome sessionOutcome(String status, String paymentStatus) {
    if ("complete".equals(status)) {
      return "paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus)
          ? Outcome.PAID
          : Outcome.PROCESSING;
    }
    if ("expired".equals(status)) {
      return Outcome.EXPIRED;
    }
    return Outcome.OPEN;
  }

  /** What an event says, or null for an event type Onsale does not act on. */
  static Outcome webhookOutcome(String type, String paymentStatus) {
    return switch (type) {
      case "checkout.session.completed" ->
          "paid".equals(paymentStatus) || "no_payment_required".equals(paymentStatus) ? Outcome.PAID : Outcome.PROCESSING;
      case "checkout.session.async_payment_succeeded" -> Outcome.PAID;
      case "checkout.session.async_payment_failed" -> Outcome.FAILED;
      case "checkout.session.expired" -> Outcome.EXPIRED;
      default -> null;
    };
  }

  private static ProviderPayment toPayment(Session session) {
    return payment(
        session.getId(),
        session.getClientReferenceId(),
        session.getMetadata() == null ? null : session.getMetadata().get(METADATA_PAYMENT_ID),
        sessionOutcome(session.getStatus(), session.getPaymentStatus()),
        session.getAmountTotal(),
        session.getCurrency(),
        session.getPaymentIntent());
  }

  private static ProviderPayment payment(
      String sessionId, String clientReference, String metadataReference, Outcome outcome, Long amount,
      String currency, String paymentIntent) {
    UUID paymentId = uuidOrNull(clientReference);
    if (paymentId == null) {
      paymentId = uuidOrNull(metadataReference);
    }
    return new ProviderPayment(
        sessionId,
        paymentId,
        outcome,
        amount == null ? 0 : amount,
        currency == null ? null : currency.toUpperCase(Locale.ROOT),
        paymentIntent);
  }

  private static UUID uuidOrNull(String value) {
    if (value == null) {
      return null;
    }
    try {
      return UUID.fromString(value);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static SessionCreateParams sessionParams(PaymentRequest request) {
    if (request.paymentId() == null) {
      throw new IllegalArgumentException("a Stripe session needs the payment's id");
    }
    if (request.lines() == null || request.lines().isEmpty()) {
      throw new IllegalArgumentException("a Stripe session needs at least one line");
    }
    if (request.currency() == null || request.currency().length() != 3) {
      throw new IllegalArgumentException("a Stripe session needs an ISO 4217 currency, not " + request.currency());
    }
    long sum = 0;
    for (PaymentRequest.Line line : request.lines()) {
      if (line.quantity() <= 0 || line.unitAmountMinor() < 0) {
        throw new IllegalArgumentException("a line needs a positive quantity and a price of at least zero: " + line);
      }
      sum = Math.addExact(sum, Math.multiplyExact(line.unitAmountMinor(), (long) line.quantity()));
    }
    if (sum != request.amountMinor()) {
      throw new IllegalArgumentException(
          "the lines add up to " + sum + ", not to the payment's amount " + request.amountMinor());
    }
    String currency = request.currency().toLowerCase(Locale.ROOT);
    String paymentId = request.paymentId().toString();
    SessionCreateParams.Builder params = SessionCreateParams.builder()
        .setMode(SessionCreateParams.Mode.PAYMENT)
        .addPaymentMethodType(SessionCreateParams.PaymentMethodType.CARD)
        .setClientReferenceId(paymentId)
        .putMetadata(METADATA_PAYMENT_ID, paymentId)
        .putMetadata(METADATA_ORDER, request.orderCode())
        .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
            .putMetadata(METADATA_PAYMENT_ID, paymentId)
            .putMetadata(METADATA_ORDER, request.orderCode())
            .build())
        .setSuccessUrl(request.successUrl())
        .setCancelUrl(request.cancelUrl());
    // No expires_at: Stripe wants it 30 minutes to 24 hours ahead, and Onsale's window may be shorter.
    // Onsale expires the session itself when its window ends (expire()).
    if (request.buyerEmail() != null && !request.buyerEmail().isBlank()) {
      params.setCustomerEmail(request.buyerEmail());
    }
    for (PaymentRequest.Line line : request.lines()) {
      params.addLineItem(SessionCreateParams.LineItem.builder()
          .setQuantity((long) line.quantity())
          .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
              .setCurrency(currency)
              .setUnitAmount(line.unitAmountMinor())
              .setProductData(SessionCreateParams.LineItem.PriceData.ProductData.builder()
                  .setName(line.name())
                  .build())
              .build())
          .build());
    }
    return params.build();
  }

  // --- calls ---

  private Session retrieve(String sessionId) throws StripeException {
    return client.v1().checkout().sessions().retrieve(sessionId);
  }

  /** A refund of the payment intent that stands (made, or on its way); null if none or if Stripe cannot say. */
  private Refund standingRefundOrNull(String paymentIntent, StripeException original) {
    try {
      for (Refund refund : client.v1().refunds()
          .list(RefundListParams.builder().setPaymentIntent(paymentIntent).setLimit(20L).build())
          .getData()) {
        if (REFUND_STANDING.contains(refund.getStatus())) {
          return refund;
        }
      }
      return null;
    } catch (StripeException lookup) {
      original.addSuppressed(lookup);
      return null;
    }
  }

  @FunctionalInterface
  private interface StripeCall<T> {
    T run() throws StripeException;
  }

  private <T> Future<T> call(String operation, StripeCall<T> work) {
    return workers.executeBlocking(() -> {
      try {
        return work.run();
      } catch (StripeException e) {
        throw failure(operation, e);
      }
    }, false);
  }

  static boolean retryable(StripeException e) {
    if (e instanceof ApiConnectionException) {
      return true;
    }
    Integer status = e.getStatusCode();
    return status != null && (status == 429 || status == 409 || status >= 500);
  }

  private static ProviderException failure(String operation, StripeException e) {
    String code = e.getCode();
    if (e instanceof ApiConnectionException) {
      code = timedOut(e) ? "timeout" : "api_connection_error";
    } else if (code == null && e.getStripeError() != null) {
      code = e.getStripeError().getType();
    }
    Integer status = e.getStatusCode();
    String message = "stripe " + operation + " failed"
        + (status == null || status == 0 ? "" : " (HTTP " + status + ")")
        + (code == null ? "" : " [" + code + "]")
        + ": " + e.getMessage();
    return new ProviderException(message, retryable(e), code, e);
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
