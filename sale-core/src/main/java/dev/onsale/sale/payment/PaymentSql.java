package dev.onsale.sale.payment;

import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobTypes;

/** The payments' statements; the settling itself is the functions of migration V6. */
final class PaymentSql {

  private PaymentSql() {}

  static final String SELECT_PAYMENT = """
      SELECT p.id, p.order_id, p.event_id, p.provider, p.status, p.amount_cents, p.currency, p.window_ends_at,
             p.session_id, p.checkout_url, p.charge_ref, p.received_cents, p.received_currency,
             o.code, o.secret, o.buyer_email, order_status_now(o.status, o.keep_until) AS order_status,
             e.time_zone
        FROM payments p JOIN orders o ON o.id = p.order_id JOIN events e ON e.id = p.event_id
       WHERE p.id = $1""";

  /** A payment as {@link #SELECT_PAYMENT} reads it, with its order's lines: what opening a session needs, in one read. */
  static final String SELECT_PAYMENT_TO_OPEN = """
      SELECT p.id, p.order_id, p.event_id, p.provider, p.status, p.amount_cents, p.currency, p.window_ends_at,
             p.session_id, p.checkout_url, p.charge_ref, p.received_cents, p.received_currency,
             o.code, o.secret, o.buyer_email, order_status_now(o.status, o.keep_until) AS order_status,
             e.time_zone, l.line_names, l.line_quantities, l.line_unit_cents
        FROM payments p JOIN orders o ON o.id = p.order_id JOIN events e ON e.id = p.event_id
        CROSS JOIN LATERAL (
          SELECT array_agg(c.name ORDER BY c.position, c.id) AS line_names,
                 array_agg(ol.quantity ORDER BY c.position, c.id) AS line_quantities,
                 array_agg(ol.unit_cents ORDER BY c.position, c.id) AS line_unit_cents
            FROM order_lines ol JOIN categories c ON c.id = ol.category_id
           WHERE ol.order_id = p.order_id) l
       WHERE p.id = $1""";

  static final String SELECT_ORDER_PAYMENTS = """
      SELECT p.id, p.order_id, p.event_id, p.provider, p.status, p.amount_cents, p.currency, p.window_ends_at,
             p.session_id, p.checkout_url, p.charge_ref, p.received_cents, p.received_currency,
             o.code, o.secret, o.buyer_email, order_status_now(o.status, o.keep_until) AS order_status,
             e.time_zone
        FROM payments p JOIN orders o ON o.id = p.order_id JOIN events e ON e.id = p.event_id
       WHERE p.order_id = $1
       ORDER BY p.created_at, p.id""";

  static final String SELECT_ORDER_LINES = """
      SELECT l.category_id, c.name, l.quantity, l.unit_cents
        FROM order_lines l JOIN categories c ON c.id = l.category_id
       WHERE l.order_id = $1
       ORDER BY c.position, c.id""";

  static final String SET_SESSION = """
      UPDATE payments SET session_id = $2, checkout_url = $3, status = 'open', updated_at = now()
       WHERE id = $1 AND status = 'created'
      RETURNING id""";

  /**
   * Settles, and reads the order's secret in the same statement (the test provider's page links the
   * order). The secret is a lookup by key: joined instead, the planner (which expects a function to
   * return a thousand rows) hashed the whole orders table on every settlement.
   */
  static final String SETTLE = """
      SELECT s.result, s.order_id, s.event_id, s.order_code,
             (SELECT o.secret FROM orders o WHERE o.id = s.order_id) AS order_secret
        FROM settle_payment($1, $2, $3, $4, $5) s""";

  static final String SETTLE_REFUND = "SELECT result, order_id, event_id FROM settle_refund($1, $2, $3)";

  static final String NOTE_ERROR = "UPDATE payments SET last_error = left($2, 500), updated_at = now() WHERE id = $1";

  static final String RECORD_NOTIFICATION = """
      INSERT INTO payment_notifications (provider, event_id, payment_id) VALUES ($1, $2, $3)
      ON CONFLICT (provider, event_id) DO NOTHING
      RETURNING 1""";

  static final String LOCK_ORDER = """
      SELECT id, event_id, order_status_now(status, keep_until) AS status, total_cents, currency, payment_expires_at
        FROM orders WHERE id = $1 FOR UPDATE""";

  /** A payment never opened at the provider ends without asking it. */
  static final String EXPIRE_UNOPENED = """
      UPDATE payments SET status = 'expired', updated_at = now() WHERE order_id = $1 AND status = 'created'""";

  static final String INSERT_ATTEMPT = """
      INSERT INTO payments (id, order_id, event_id, provider, amount_cents, currency, window_ends_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)""";

  /**
   * Payments whose window has ended, each queued once for reconciliation on the payments stream,
   * in the statement that marks it queued. $2 is {@link JobTypes#PAYMENT_RECONCILE}.
   */
  static final String QUEUE_DUE_RECONCILIATIONS = """
      WITH due AS (
        SELECT id FROM payments
         WHERE status IN ('created', 'open', 'processing') AND reconcile_queued_at IS NULL AND window_ends_at <= now()
         ORDER BY window_ends_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED),
      marked AS (
        UPDATE payments p SET reconcile_queued_at = now() FROM due WHERE p.id = due.id RETURNING p.id),
      queued AS (
        INSERT INTO outbox (queue, type, payload)
        SELECT '%s', $2, jsonb_build_object('%s', id) FROM marked
        RETURNING 1)
      SELECT count(*) AS queued FROM queued"""
      .formatted(JobCatalog.queueOf(JobTypes.PAYMENT_RECONCILE).streamName(), JobCatalog.PAYMENT_ID);

  static final String NOTIFY_OUTBOX = "SELECT pg_notify('onsale_outbox', '')";

  /** Rewrites pending orders past their window and grace as expired (reads already show them so). */
  static final String EXPIRE_ORDERS = """
      UPDATE orders SET status = 'expired'
       WHERE id IN (SELECT id FROM orders WHERE status = 'pending' AND keep_until <= now()
                     ORDER BY keep_until LIMIT $1 FOR UPDATE SKIP LOCKED)""";

  /** The failed refunds of an order ($1) queued again; $2 is {@link JobTypes#PAYMENT_REFUND}. */
  static final String QUEUE_REFUND = """
      INSERT INTO outbox (queue, type, payload)
      SELECT '%s', $2, jsonb_build_object('%s', p.id, '%s', 'retry')
        FROM payments p WHERE p.order_id = $1 AND p.status = 'refund_failed'
      RETURNING (payload->>'%s')"""
      .formatted(JobCatalog.queueOf(JobTypes.PAYMENT_REFUND).streamName(), JobCatalog.PAYMENT_ID, JobCatalog.REASON,
          JobCatalog.PAYMENT_ID);

  static final String REFUNDS_OWED = """
      SELECT p.id FROM payments p WHERE p.order_id = $1 AND p.status = 'refund_due'""";
}
