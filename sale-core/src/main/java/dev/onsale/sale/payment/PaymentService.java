package dev.onsale.sale.payment;

import dev.onsale.common.PaymentJobs;
import dev.onsale.common.ApiException;
import dev.onsale.common.JobTypes;
import dev.onsale.common.RedisKeys;
import io.vertx.core.Future;
import dev.onsale.common.RedisScript;
import dev.onsale.sale.SaleError;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that happens to a payment after its row was written with the order: opening the
 * provider's session when the buyer opens {@code payment.url}, settling what the provider reports
 * (a webhook, the test pay page, reconciliation: all the same), new attempts, refunds and expiries.
 *
 * <p>Provider calls never run inside a database transaction: each settle is one statement
 * ({@code settle_payment}) after the provider has answered. The web role and the payments worker
 * share this class.
 */
public final class PaymentService implements PaymentJobs {

  private static final Logger LOG = LoggerFactory.getLogger(PaymentService.class);
  /** Counts a second's sessions deployment-wide; the key lives two seconds. */
  private static final RedisScript COUNT_IN_SECOND = new RedisScript(
      "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], 2) end return n");

  private final Pool pool;
  private final PaymentProvider provider;
  private final Redis redis;
  private final RedisKeys keys;
  private final PaymentSettings settings;
  private final PaymentMetrics metrics;
  private final String publicUrl;

  public PaymentService(Pool pool, PaymentProvider provider, Redis redis, RedisKeys keys, PaymentSettings settings,
                        PaymentMetrics metrics, String publicUrl) {
    this.pool = pool;
    this.provider = provider;
    this.redis = redis;
    this.keys = keys;
    this.settings = settings;
    this.metrics = metrics;
    this.publicUrl = publicUrl;
  }

  public PaymentProvider provider() {
    return provider;
  }

  public PaymentSettings settings() {
    return settings;
  }

  public PaymentMetrics metrics() {
    return metrics;
  }

  /** A payment row with its order's code, secret and status as buyers see it. */
  public record StoredPayment(UUID id, long orderId, long eventId, String provider, String status, long amountCents,
                              String currency, Instant windowEndsAt, String sessionId, String checkoutUrl,
                              String chargeRef, Long receivedCents, String receivedCurrency, String orderCode,
                              String orderSecret, String buyerEmail, String orderStatus, String timeZone) {

    public boolean unsettled() {
      return "created".equals(status) || "open".equals(status) || "processing".equals(status);
    }
  }

  /** Onsale's URL where the buyer pays this payment: it opens or resumes the provider's session. */
  public static String payUrl(UUID paymentId) {
    return "/pay/" + paymentId;
  }

  /** The buyer's order page, as linked from mails and the provider's return. */
  public String orderPageUrl(String code, String secret) {
    return publicUrl + "/orders/" + code + "?secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
  }

  public Future<StoredPayment> find(UUID paymentId) {
    return pool.preparedQuery(PaymentSql.SELECT_PAYMENT).execute(Tuple.of(paymentId))
        .map(rows -> rows.size() == 0 ? null : toPayment(rows.iterator().next()));
  }

  public Future<List<StoredPayment>> ofOrder(long orderId) {
    return pool.preparedQuery(PaymentSql.SELECT_ORDER_PAYMENTS).execute(Tuple.of(orderId))
        .map(rows -> {
          List<StoredPayment> list = new ArrayList<>();
          rows.forEach(r -> list.add(toPayment(r)));
          return list;
        });
  }

  /**
   * Where to send a buyer who opened {@code payment.url}: the provider's checkout, opened on first
   * use (a repeat finds the same session: the provider's idempotency key is the payment id), or the
   * order page when this payment can no longer be paid. Limited deployment-wide to
   * {@code sessionsPerSecond}: past it a 503 with {@code Retry-After} makes the page try again.
   */
  public Future<String> checkoutUrl(UUID paymentId) {
    return findToOpen(paymentId).compose(toOpen -> {
      if (toOpen == null) {
        return Future.failedFuture(ApiException.notFound("payment"));
      }
      StoredPayment payment = toOpen.payment();
      String orderPage = orderPageUrl(payment.orderCode(), payment.orderSecret());
      if (!"pending".equals(payment.orderStatus()) || !payment.windowEndsAt().isAfter(Instant.now())) {
        return Future.succeededFuture(orderPage);
      }
      if ("open".equals(payment.status()) && payment.checkoutUrl() != null) {
        return Future.succeededFuture(payment.checkoutUrl());
      }
      if (!"created".equals(payment.status())) {
        return Future.succeededFuture(orderPage);
      }
      return withinRate()
          .compose(ignored -> provider.openSession(new PaymentRequest(payment.id(), payment.orderCode(),
              payment.amountCents(), payment.currency(), toOpen.lines(), payment.buyerEmail(), payment.windowEndsAt(),
              orderPage, orderPage)))
          .compose(session -> pool.preparedQuery(PaymentSql.SET_SESSION)
              .execute(Tuple.of(payment.id(), session.sessionId(), session.url()))
              .compose(rows -> {
                if (rows.size() == 1) {
                  return Future.succeededFuture(session.url());
                }
                // Ended meanwhile (a new attempt, or its window): the session must not stay payable.
                return expireStray(payment.id(), session.sessionId()).map(orderPage);
              }))
          .recover(e -> Future.failedFuture(e instanceof ProviderException provider
              ? ApiException.unavailable("payment_provider_unavailable",
                  "the payment provider is not answering right now; this page tries again in a moment",
                  provider.retryable() ? 2 : 30)
              : e));
    });
  }

  /** A payment and its order's lines, read together for opening its session. */
  private record PaymentToOpen(StoredPayment payment, List<PaymentRequest.Line> lines) {}

  private Future<PaymentToOpen> findToOpen(UUID paymentId) {
    return pool.preparedQuery(PaymentSql.SELECT_PAYMENT_TO_OPEN).execute(Tuple.of(paymentId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          String[] names = r.getArrayOfStrings("line_names");
          Integer[] quantities = r.getArrayOfIntegers("line_quantities");
          Long[] unitCents = r.getArrayOfLongs("line_unit_cents");
          List<PaymentRequest.Line> lines = new ArrayList<>();
          for (int i = 0; names != null && i < names.length; i++) {
            lines.add(new PaymentRequest.Line(names[i], unitCents[i], quantities[i]));
          }
          return new PaymentToOpen(toPayment(r), lines);
        });
  }

  private Future<Void> expireStray(UUID paymentId, String sessionId) {
    return provider.expire(sessionId)
        .compose(state -> state.outcome() == ProviderPayment.Outcome.PAID ? settle(paymentId, state).mapEmpty()
            : Future.<Void>succeededFuture())
        .recover(e -> {
          LOG.warn("could not expire stray session {} of payment {}: {}", sessionId, paymentId, e.toString());
          return Future.succeededFuture();
        });
  }

  private Future<Void> withinRate() {
    long second = System.currentTimeMillis() / 1000;
    String key = keys.paymentSessionRate(second);
    return COUNT_IN_SECOND.run(redis, List.of(key))
        .compose(n -> n.toLong() > settings.sessionsPerSecond()
            ? Future.failedFuture(ApiException.unavailable("payment_busy",
                "many buyers are paying right now; this page tries again in a moment", 1))
            : Future.succeededFuture());
  }

  public Future<List<PaymentRequest.Line>> lines(long orderId) {
    return pool.preparedQuery(PaymentSql.SELECT_ORDER_LINES).execute(Tuple.of(orderId))
        .map(rows -> {
          List<PaymentRequest.Line> lines = new ArrayList<>();
          rows.forEach(r -> lines.add(new PaymentRequest.Line(r.getString("name"), r.getLong("unit_cents"),
              r.getInteger("quantity"))));
          return lines;
        });
  }

  /** What settling did: paid, late_completed, late_refunded, duplicate_refunded, …, or unchanged. */
  public record Settled(String result, long orderId, long eventId, String orderCode, String orderSecret) {}

  /**
   * Settles what the provider reported, the same way whoever reports it. A payment Onsale does not
   * know fails with {@link UnknownPayment} (a webhook answers 503 so that the provider retries).
   */
  public Future<Settled> settle(UUID paymentId, ProviderPayment state) {
    if (state.outcome() == null) {
      return Future.succeededFuture(new Settled("unchanged", 0, 0, null, null));
    }
    return pool.preparedQuery(PaymentSql.SETTLE)
        .execute(Tuple.of(paymentId, state.outcome().name(), state.amountMinor(), state.currency(), state.chargeRef()))
        .map(rows -> {
          Row r = rows.iterator().next();
          Settled settled = new Settled(r.getString("result"), r.getLong("order_id"), r.getLong("event_id"),
              r.getString("order_code"), r.getString("order_secret"));
          metrics.settled(settled.eventId(), settled.result());
          if (!"unchanged".equals(settled.result())) {
            LOG.info("payment {} of order {}: {}", paymentId, settled.orderCode(), settled.result());
          }
          return settled;
        })
        .recover(e -> Future.failedFuture(SaleError.PAYMENT_NOT_FOUND.raised(e) ? new UnknownPayment(paymentId) : e));
  }

  @Override
  public String finalRefusal(Throwable failure) {
    if (failure instanceof ProviderException provider && !provider.retryable()) {
      return provider.getMessage() + (provider.code() == null ? "" : " (" + provider.code() + ")");
    }
    return null;
  }

  /** A notification or report for a payment id that has no row (yet). */
  public static final class UnknownPayment extends RuntimeException {
    public UnknownPayment(UUID paymentId) {
      super("no payment " + paymentId, null, false, false);
    }
  }

  /**
   * A verified provider notification: settled once per provider event id; a replay is a no-op. A
   * notification about a session Onsale did not open (no reference) is acknowledged and ignored.
   */
  public Future<String> onNotification(WebhookNotice notice) {
    ProviderPayment payment = notice.payment();
    if (payment == null || payment.paymentId() == null) {
      return Future.succeededFuture("ignored");
    }
    return settle(payment.paymentId(), payment)
        .compose(settled -> pool.preparedQuery(PaymentSql.RECORD_NOTIFICATION)
            .execute(Tuple.of(provider.name(), notice.eventId(), payment.paymentId()))
            .map(rows -> rows.size() == 0 ? "replayed" : settled.result()));
  }

  /**
   * A window ended: asks the provider what happened and settles it as a webhook would, then ends
   * the session so that it can no longer be paid (what it reports then is settled too).
   */
  @Override
  public Future<Settled> reconcile(UUID paymentId) {
    return find(paymentId).compose(payment -> {
      if (payment == null || !payment.unsettled()) {
        return Future.succeededFuture(null);
      }
      if (payment.sessionId() == null) {
        return settle(paymentId, ended(payment, ProviderPayment.Outcome.EXPIRED));
      }
      return provider.fetch(payment.sessionId()).compose(state -> state.outcome() == ProviderPayment.Outcome.PAID
          ? settle(paymentId, state)
          : provider.expire(payment.sessionId()).compose(after -> settle(paymentId, after)));
    });
  }

  /** Ends a payment's session (another attempt paid the order, or it was cancelled). */
  @Override
  public Future<Settled> expire(UUID paymentId) {
    return find(paymentId).compose(payment -> {
      if (payment == null || !payment.unsettled()) {
        return Future.succeededFuture(null);
      }
      if (payment.sessionId() == null) {
        return settle(paymentId, ended(payment, ProviderPayment.Outcome.EXPIRED));
      }
      return provider.expire(payment.sessionId()).compose(after -> settle(paymentId, after));
    });
  }

  private static ProviderPayment ended(StoredPayment payment, ProviderPayment.Outcome outcome) {
    return new ProviderPayment(payment.sessionId(), payment.id(), outcome, 0, payment.currency(), null);
  }

  /**
   * Refunds a payment in full at the provider, then records it. A {@code manual} payment becomes
   * {@code refund_due} (the organizer refunds it and confirms). Failures propagate: the payments
   * worker retries them and, after the last try, calls {@link #refundFailed}.
   */
  @Override
  public Future<String> refund(UUID paymentId) {
    return find(paymentId).compose(payment -> {
      if (payment == null || !("refund_pending".equals(payment.status()) || "refund_failed".equals(payment.status()))) {
        return Future.succeededFuture("unchanged");
      }
      long amount = payment.receivedCents() == null ? payment.amountCents() : payment.receivedCents();
      String currency = payment.receivedCurrency() == null ? payment.currency() : payment.receivedCurrency();
      return provider.refund(new RefundRequest(paymentId, payment.sessionId(), payment.chargeRef(), amount, currency,
              RefundRequest.keyFor(paymentId)))
          .compose(done -> settleRefund(paymentId, done.refundId(), "refunded"))
          .recover(e -> e instanceof ManualProvider.ManualRefundDue
              ? settleRefund(paymentId, null, "refund_due")
              : noteError(paymentId, e).compose(ignored -> Future.failedFuture(e)));
    });
  }

  /** The refund's last try failed: the order shows {@code refund_failed}, alerting, until retried. */
  @Override
  public Future<String> refundFailed(UUID paymentId, String error) {
    return noteError(paymentId, new RuntimeException(error)).compose(ignored -> settleRefund(paymentId, null, "refund_failed"));
  }

  /** The organizer refunded a {@code manual} payment (or one that failed) by hand. */
  public Future<String> refundConfirmed(UUID paymentId) {
    return settleRefund(paymentId, "confirmed-by-organizer", "refunded");
  }

  private Future<String> settleRefund(UUID paymentId, String refundId, String status) {
    return pool.preparedQuery(PaymentSql.SETTLE_REFUND).execute(Tuple.of(paymentId, refundId, status))
        .map(rows -> {
          Row r = rows.iterator().next();
          String result = r.getString("result");
          metrics.settled(r.getLong("event_id"), result);
          if (!"unchanged".equals(result)) {
            LOG.info("payment {}: {}", paymentId, result);
          }
          return result;
        });
  }

  private Future<Void> noteError(UUID paymentId, Throwable e) {
    return pool.preparedQuery(PaymentSql.NOTE_ERROR).execute(Tuple.of(paymentId, String.valueOf(e.getMessage())))
        .<Void>mapEmpty()
        .recover(ignored -> Future.succeededFuture());
  }

  /**
   * A new attempt for a pending order (after a decline): every attempt still open is ended at the
   * provider first, so that only one can be paid; if one turns out paid, the order is paid and no
   * new attempt is made. The new attempt keeps the order's window.
   */
  public Future<StoredPayment> newAttempt(long orderId) {
    return ofOrder(orderId).compose(payments -> {
      Future<Void> chain = Future.succeededFuture();
      for (StoredPayment p : payments) {
        if ("processing".equals(p.status())) {
          return Future.failedFuture(ApiException.conflict("payment_processing",
              "a payment of this order is being confirmed by the bank; wait for it"));
        }
        if ("open".equals(p.status()) && p.sessionId() != null) {
          chain = chain.compose(ignored -> provider.expire(p.sessionId()).compose(state -> settle(p.id(), state)).mapEmpty());
        }
      }
      return chain;
    }).compose(ignored -> pool.withTransaction(conn -> conn.preparedQuery(PaymentSql.LOCK_ORDER).execute(Tuple.of(orderId))
        .compose(rows -> {
          Row order = rows.iterator().next();
          String status = order.getString("status");
          if (!"pending".equals(status)) {
            return Future.failedFuture(ApiException.conflict("order_not_pending", "this order is " + status)
                .withDetails(new io.vertx.core.json.JsonObject().put("status", status)));
          }
          UUID id = UUID.randomUUID();
          return conn.preparedQuery(PaymentSql.EXPIRE_UNOPENED).execute(Tuple.of(orderId))
              .compose(expired -> conn.preparedQuery(PaymentSql.INSERT_ATTEMPT).execute(Tuple.of(id, orderId,
                  order.getLong("event_id"), provider.name(), order.getLong("total_cents"), order.getString("currency"),
                  order.getOffsetDateTime("payment_expires_at"))))
              .map(id);
        })))
        .compose(this::find);
  }

  /** The organizer confirms a bank transfer of the order's amount ({@code manual}). */
  public Future<Settled> markPaid(long orderId) {
    return ofOrder(orderId).compose(payments -> {
      StoredPayment latest = payments.isEmpty() ? null : payments.get(payments.size() - 1);
      if (latest == null) {
        return Future.failedFuture(ApiException.conflict("order_without_payment", "this order has nothing to pay"));
      }
      return settle(latest.id(), new ProviderPayment(latest.sessionId(), latest.id(), ProviderPayment.Outcome.PAID,
          latest.amountCents(), latest.currency(), "manual-" + latest.id()));
    });
  }

  /** Queues the failed refunds of an order again; answers the payment ids. */
  public Future<List<String>> retryRefunds(long orderId) {
    return pool.preparedQuery(PaymentSql.QUEUE_REFUND).execute(Tuple.of(orderId, JobTypes.PAYMENT_REFUND))
        .compose(rows -> {
          List<String> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getString(0)));
          return pool.query(PaymentSql.NOTIFY_OUTBOX).execute().map(ids);
        });
  }

  public Future<List<UUID>> refundsDue(long orderId) {
    return pool.preparedQuery(PaymentSql.REFUNDS_OWED).execute(Tuple.of(orderId))
        .map(rows -> {
          List<UUID> ids = new ArrayList<>();
          rows.forEach(r -> ids.add(r.getUUID("id")));
          return ids;
        });
  }

  /** Queues reconciliation for payments whose window ended; answers how many. */
  @Override
  public Future<Long> queueDueReconciliations(int batch) {
    return pool.withTransaction(conn -> conn.preparedQuery(PaymentSql.QUEUE_DUE_RECONCILIATIONS)
            .execute(Tuple.of(batch, JobTypes.PAYMENT_RECONCILE))
            .map(rows -> rows.iterator().next().getLong("queued"))
            .compose(queued -> queued == 0 ? Future.succeededFuture(0L)
                : conn.query(PaymentSql.NOTIFY_OUTBOX).execute().map(queued)));
  }

  /** Rewrites pending orders past their window and grace as expired; answers how many. */
  @Override
  public Future<Integer> expireOrders(int batch) {
    return pool.preparedQuery(PaymentSql.EXPIRE_ORDERS).execute(Tuple.of(batch)).map(rows -> rows.rowCount());
  }

  private static StoredPayment toPayment(Row r) {
    OffsetDateTime window = r.getOffsetDateTime("window_ends_at");
    return new StoredPayment(r.getUUID("id"), r.getLong("order_id"), r.getLong("event_id"), r.getString("provider"),
        r.getString("status"), r.getLong("amount_cents"), r.getString("currency"), window.toInstant(),
        r.getString("session_id"), r.getString("checkout_url"), r.getString("charge_ref"), r.getLong("received_cents"),
        r.getString("received_currency"), r.getString("code"), r.getString("secret"), r.getString("buyer_email"),
        r.getString("order_status"), r.getString("time_zone"));
  }
}
