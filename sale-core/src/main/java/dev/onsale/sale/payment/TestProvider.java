package dev.onsale.sale.payment;

import dev.onsale.common.RedisKeys;
import dev.onsale.common.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The {@code test} provider: a payment page of Onsale's own with "Pay" and "Decline", for the demo
 * and the tests. It keeps its sessions on its own side, as a real provider does: in Redis, one hash
 * per session, never in the sale's database, so that paying through it costs PostgreSQL what
 * paying through Stripe does. Reconciliation asks it what happened exactly as it asks Stripe. It
 * takes no money.
 */
public final class TestProvider implements PaymentProvider {

  /** Long past any payment window and its grace: a late refund still finds the session. */
  static final Duration SESSION_KEPT = Duration.ofDays(30);

  /** Opens the session once; a repeat (the same payment id, as an idempotency key) changes nothing. */
  private static final RedisScript OPEN = new RedisScript("""
      if redis.call('EXISTS', KEYS[1]) == 0 then
        redis.call('HSET', KEYS[1], 'status', 'open', 'amount', ARGV[1], 'currency', ARGV[2])
        redis.call('EXPIRE', KEYS[1], ARGV[3])
      end
      return 1""");

  /** Moves the session from one status to another, only from that one; answers it after the move, or nil. */
  private static final RedisScript MOVE = new RedisScript("""
      if redis.call('HGET', KEYS[1], 'status') ~= ARGV[1] then
        return nil
      end
      redis.call('HSET', KEYS[1], 'status', ARGV[2])
      return redis.call('HMGET', KEYS[1], 'status', 'amount', 'currency')""");

  private final Redis redis;
  private final RedisKeys keys;

  public TestProvider(Redis redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public String name() {
    return PaymentSettings.TEST;
  }

  /** The page where the buyer pays: Onsale's own. */
  public static String pageUrl(UUID paymentId) {
    return "/pay/test/" + paymentId;
  }

  @Override
  public Future<CheckoutSession> openSession(PaymentRequest request) {
    return OPEN.run(redis, List.of(keys.testProviderSession(request.paymentId())),
            String.valueOf(request.amountMinor()), request.currency(), String.valueOf(SESSION_KEPT.toSeconds()))
        .map(ignored -> new CheckoutSession(request.paymentId().toString(), pageUrl(request.paymentId())));
  }

  @Override
  public Future<ProviderPayment> fetch(String sessionId) {
    UUID id = UUID.fromString(sessionId);
    return redis.send(Request.cmd(Command.HMGET)
            .arg(keys.testProviderSession(id)).arg("status").arg("amount").arg("currency"))
        .compose(fields -> fields == null || fields.get(0) == null
            ? Future.failedFuture(new ProviderException("no test session " + sessionId, false, "resource_missing", null))
            : Future.succeededFuture(toPayment(id, fields)));
  }

  @Override
  public Future<ProviderPayment> expire(String sessionId) {
    // The move answers the session when it was open; only a session that was not is read again.
    return move(UUID.fromString(sessionId), "open", "expired")
        .compose(moved -> moved != null ? Future.succeededFuture(moved) : fetch(sessionId));
  }

  /** The buyer pressed "Pay" (true) or "Decline" (false); empty when the session was not open. */
  public Future<ProviderPayment> decide(UUID paymentId, boolean pay) {
    return move(paymentId, "open", pay ? "paid" : "failed");
  }

  @Override
  public Future<RefundResult> refund(RefundRequest request) {
    UUID id = UUID.fromString(request.sessionId());
    return move(id, "paid", "refunded").compose(moved -> moved != null
        ? Future.succeededFuture(new RefundResult("test-refund-" + id, false))
        : fetch(request.sessionId()).compose(state -> state.outcome() == null
            ? Future.succeededFuture(new RefundResult("test-refund-" + id, true))
            : Future.failedFuture(new ProviderException("test session " + id + " is not paid", false, "charge_not_paid", null))));
  }

  /** The test provider notifies through its own page's request, never through a webhook. */
  @Override
  public WebhookNotice verifyWebhook(Buffer rawBody, MultiMap headers) {
    throw new WebhookSignatureException("the test provider sends no webhooks");
  }

  /** The session after the move, or null when it was not in {@code from} (or does not exist). */
  private Future<ProviderPayment> move(UUID paymentId, String from, String to) {
    return MOVE.run(redis, List.of(keys.testProviderSession(paymentId)), from, to)
        .map(fields -> fields == null ? null : toPayment(paymentId, fields));
  }

  /** A refunded session reports its outcome as null: it was paid, and the money went back. */
  private static ProviderPayment toPayment(UUID id, Response fields) {
    ProviderPayment.Outcome outcome = switch (fields.get(0).toString()) {
      case "paid" -> ProviderPayment.Outcome.PAID;
      case "failed" -> ProviderPayment.Outcome.FAILED;
      case "expired" -> ProviderPayment.Outcome.EXPIRED;
      case "refunded" -> null;
      default -> ProviderPayment.Outcome.OPEN;
    };
    return new ProviderPayment(id.toString(), id, outcome, fields.get(1).toLong(), fields.get(2).toString(),
        "test-charge-" + id);
  }
}
