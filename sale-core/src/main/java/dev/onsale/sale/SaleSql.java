package dev.onsale.sale;

import dev.onsale.common.JobCatalog;
import dev.onsale.common.JobTypes;

/** Every statement of the sale core, with $n parameters; the write paths are functions (V2). */
final class SaleSql {

  private SaleSql() {}

  static final String INSERT_EVENT = """
      INSERT INTO events (slug, name, venue, starts_at, queue_opens_at, sale_starts_at, sale_ends_at,
                          admission_rate_per_minute, max_active_shoppers, max_tickets_per_order,
                          hold_seconds, waiting_room, pre_queue, payment_seconds, payment_grace_seconds,
                          time_zone, join_challenge, pow_difficulty)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
      RETURNING id""";

  static final String INSERT_CATEGORY = """
      INSERT INTO categories (event_id, name, price_cents, currency, capacity, position)
      VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING id""";

  /** One row per sellable ticket, created with its category (as alf.io does). */
  static final String INSERT_TICKETS = """
      INSERT INTO tickets (event_id, category_id)
      SELECT $1, $2 FROM generate_series(1, $3)""";

  /** Removes free tickets that were never sold, to shrink a category; sold history stays. */
  static final String DELETE_FREE_TICKETS = """
      DELETE FROM tickets WHERE id IN (
        SELECT t.id FROM tickets t
         WHERE t.category_id = $1 AND t.status = 'open' AND t.held_until < now()
           AND NOT EXISTS (SELECT 1 FROM order_tickets ot WHERE ot.ticket_id = t.id)
         LIMIT $2
         FOR UPDATE SKIP LOCKED)""";

  static final String UPDATE_CATEGORY_CAPACITY = "UPDATE categories SET capacity = $2 WHERE id = $1";

  static final String UPDATE_EVENT = """
      UPDATE events SET name = $2, venue = $3, starts_at = $4, queue_opens_at = $5,
             sale_starts_at = $6, sale_ends_at = $7, admission_rate_per_minute = $8,
             max_active_shoppers = $9, max_tickets_per_order = $10, hold_seconds = $11,
             waiting_room = $12, pre_queue = $13, paused = $14, payment_seconds = $15,
             payment_grace_seconds = $16, time_zone = $17, join_challenge = $18, pow_difficulty = $19,
             updated_at = now()
       WHERE id = $1""";

  static final String SELECT_EVENT_FOR_UPDATE = "SELECT id FROM events WHERE id = $1 FOR UPDATE";

  static final String SELECT_EVENT = """
      SELECT id, slug, name, venue, starts_at, queue_opens_at, sale_starts_at, sale_ends_at,
             admission_rate_per_minute, max_active_shoppers, max_tickets_per_order, hold_seconds,
             waiting_room, pre_queue, paused, payment_seconds, payment_grace_seconds, time_zone,
             join_challenge, pow_difficulty
        FROM events WHERE id = $1""";

  static final String SELECT_EVENTS = """
      SELECT id, slug, name, venue, starts_at, queue_opens_at, sale_starts_at, sale_ends_at,
             admission_rate_per_minute, max_active_shoppers, max_tickets_per_order, hold_seconds,
             waiting_room, pre_queue, paused, payment_seconds, payment_grace_seconds, time_zone,
             join_challenge, pow_difficulty
        FROM events ORDER BY id DESC LIMIT $1""";

  /** Events whose queue or sale is near: their availability is published every second. */
  static final String SELECT_LIVE_EVENT_IDS = """
      SELECT id FROM events
       WHERE queue_opens_at < now() + interval '1 hour' AND sale_ends_at > now() - interval '10 minutes'""";

  static final String SELECT_CATEGORIES = """
      SELECT id, event_id, name, price_cents, currency, capacity
        FROM categories WHERE event_id = ANY($1) ORDER BY position, id""";

  /**
   * Counts open tickets only; sold = capacity - open. An open ticket not yet free is kept for a
   * pending order (order_id set) or held by a reservation.
   */
  static final String COUNT_OPEN_TICKETS = """
      SELECT category_id,
             count(*) FILTER (WHERE held_until < now()) AS available,
             count(*) FILTER (WHERE held_until >= now() AND order_id IS NOT NULL) AS pending,
             count(*) AS open,
             min(held_until) FILTER (WHERE held_until >= now()) AS next_release_at
        FROM tickets
       WHERE category_id = ANY($1) AND status = 'open'
       GROUP BY category_id""";

  static final String COUNT_ORDERS = """
      SELECT count(*) FILTER (WHERE status = 'paid') AS paid,
             count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
             count(*) FILTER (WHERE order_status_now(status, keep_until) = 'pending') AS pending,
             count(*) FILTER (WHERE order_status_now(status, keep_until) = 'expired') AS expired,
             count(*) FILTER (WHERE status = 'refunded') AS refunded,
             count(*) FILTER (WHERE status IN ('refund_failed', 'refund_due')) AS refund_trouble
        FROM orders WHERE event_id = $1""";

  static final String RESERVE = """
      SELECT ticket_id, category_id, held_until FROM reserve_tickets($1, $2, $3, $4, $5, $6)""";

  /** One claim for the single-category reservations of one event loop ({@link ReservationBatcher}). */
  static final String RESERVE_BATCH = """
      SELECT reservation_id, ticket_id, held_until FROM reserve_batch($1, $2, $3, $4, $5, $6)""";

  /** $2, $3: the admission presented (event, number), or both null for a secret already checked (V8). */
  static final String RELEASE = """
      WITH released AS (
        UPDATE reservations SET status = 'released'
         WHERE id = $1 AND status = 'active' AND expires_at > now()
           AND reservation_owned_by(event_id, admission_n, $2, $3)
        RETURNING id, event_id, admission_n),
      freed AS (
        UPDATE tickets SET held_until = '-infinity', reservation_id = NULL
         WHERE reservation_id IN (SELECT id FROM released) AND status = 'open')
      SELECT event_id, admission_n FROM released""";

  static final String SELECT_RESERVATION_STATUS = """
      SELECT status, expires_at < now() AS expired FROM reservations
       WHERE id = $1 AND reservation_owned_by(event_id, admission_n, $2, $3)""";

  static final String ADMISSION_ORDERED = """
      SELECT EXISTS (SELECT 1 FROM reservations
                      WHERE event_id = $1 AND admission_n = $2 AND status = 'ordered') AS ordered""";

  static final String PLACE_ORDER = """
      SELECT order_id, event_id, admission_n, status, total_cents, currency, payment_expires_at, ticket_id, category_id
        FROM place_owned_order($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""";

  static final String CANCEL_ORDER = "SELECT order_id, event_id, tickets_returned FROM cancel_order($1)";

  static final String SELECT_ORDER = """
      SELECT o.id, o.code, o.secret, o.event_id, o.buyer_name, o.buyer_email,
             order_status_now(o.status, o.keep_until) AS status, o.total_cents, o.currency, o.created_at,
             o.cancelled_at, o.payment_expires_at, o.keep_until, o.paid_at, o.ticket_count,
             (SELECT max(m.sent_at) FROM mail_log m WHERE m.order_id = o.id AND m.kind IN ('%s', '%s'))
               AS mail_sent_at
        FROM orders o WHERE o.code = $1""".formatted(JobTypes.ORDER_CONFIRMATION, JobTypes.ORDER_LATE_PAID);

  /** The tickets a pending order keeps (not yet its own: they are sold to it once it is paid). */
  static final String SELECT_KEPT_TICKETS = """
      SELECT t.id AS ticket_id, t.category_id, c.name AS category_name
        FROM tickets t JOIN categories c ON c.id = t.category_id
       WHERE t.order_id = $1 AND t.status = 'open' AND t.held_until > now()
       ORDER BY t.id""";

  /**
   * An order's tickets and whether each one's PDF exists. The PDF is looked up per ticket, by its
   * key ({@code LIMIT 1} keeps it a lookup): as a plain join or an {@code EXISTS}, the plan
   * PostgreSQL picks from a sale's not yet analysed tables hashes every PDF of the database on each
   * read (0.5 ms at 2,000 PDFs, growing with every ticket sold).
   */
  static final String SELECT_ORDER_TICKETS = """
      SELECT ot.ticket_id, ot.category_id, c.name AS category_name, ot.active,
             pdf.ready IS NOT NULL AS pdf_ready
        FROM order_tickets ot
        JOIN categories c ON c.id = ot.category_id
        LEFT JOIN LATERAL (
          SELECT true AS ready FROM ticket_pdfs p
           WHERE p.ticket_id = ot.ticket_id AND p.secret = ot.secret
           LIMIT 1) pdf ON true
       WHERE ot.order_id = $1
       ORDER BY ot.ticket_id""";

  static final String SELECT_TICKET_PDF = """
      SELECT p.path
        FROM order_tickets ot
        JOIN ticket_pdfs p ON p.ticket_id = ot.ticket_id AND p.secret = ot.secret
       WHERE ot.order_id = $1 AND ot.ticket_id = $2 AND ot.active""";

  static final String SELECT_ORDERS_PAGE = """
      SELECT o.id, o.code, o.buyer_name, o.buyer_email, order_status_now(o.status, o.keep_until) AS status,
             o.total_cents, o.currency,
             o.created_at, o.ticket_count AS tickets
        FROM orders o
       WHERE o.event_id = $1 AND o.id > $2
         AND ($4::text IS NULL OR order_status_now(o.status, o.keep_until) = $4)
       ORDER BY o.id
       LIMIT $3""";

  /** Long-expired holds go back to plain availability so that stats and history stay tidy. */
  static final String SWEEP_EXPIRED_HOLDS = """
      WITH expired AS (
        UPDATE reservations SET status = 'expired'
         WHERE id IN (SELECT id FROM reservations
                       WHERE status = 'active' AND expires_at < now() - interval '5 seconds'
                       ORDER BY expires_at
                       LIMIT $1
                       FOR UPDATE SKIP LOCKED)
        RETURNING id),
      freed AS (
        UPDATE tickets SET held_until = '-infinity', reservation_id = NULL
         WHERE reservation_id IN (SELECT id FROM expired) AND status = 'open' AND held_until < now()
        RETURNING id)
      SELECT (SELECT count(*) FROM expired) AS reservations, (SELECT count(*) FROM freed) AS tickets""";

  static final String DELETE_OLD_IDEMPOTENCY_KEYS = """
      DELETE FROM idempotency_keys WHERE ctid IN (
        SELECT ctid FROM idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT $1)""";

  static final String IDEMPOTENCY_CLAIM = """
      INSERT INTO idempotency_keys (scope, key) VALUES ($1, $2)
      ON CONFLICT (scope, key) DO UPDATE
        SET status_code = NULL, body = NULL, created_at = now()
        WHERE idempotency_keys.created_at < now() - interval '24 hours'
      RETURNING 1""";

  static final String IDEMPOTENCY_LOOKUP = """
      SELECT status_code, body FROM idempotency_keys WHERE scope = $1 AND key = $2""";

  static final String IDEMPOTENCY_STORE = """
      UPDATE idempotency_keys SET status_code = $3, body = $4 WHERE scope = $1 AND key = $2""";

  static final String IDEMPOTENCY_FORGET = "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2";

  // Organizers' webhooks (WebhooksApi).

  static final String EVENT_EXISTS = "SELECT 1 FROM events WHERE id = $1";

  static final String COUNT_ACTIVE_WEBHOOKS = "SELECT count(*) FROM webhooks WHERE event_id = $1 AND active";

  static final String INSERT_WEBHOOK = """
      INSERT INTO webhooks (event_id, url, secret) VALUES ($1, $2, $3) RETURNING id, created_at""";

  static final String SELECT_WEBHOOKS = """
      SELECT id, url, active, created_at, disabled_at, disabled_reason FROM webhooks WHERE event_id = $1 ORDER BY id""";

  static final String DELETE_WEBHOOK = "DELETE FROM webhooks WHERE id = $1 AND event_id = $2";

  // Order exports (OrderExportsApi): the export row and its job are written in one transaction.

  static final String INSERT_EXPORT = "INSERT INTO order_exports (id, event_id) VALUES ($1, $2)";

  /** The export's job for the background worker, its queue and payload field names from {@link JobCatalog}. */
  static final String INSERT_EXPORT_JOB = """
      INSERT INTO outbox (queue, type, payload)
      VALUES ('%s', '%s', jsonb_build_object('%s', $1::text, '%s', $2::bigint))"""
      .formatted(JobCatalog.queueOf(JobTypes.ORDERS_EXPORT).streamName(), JobTypes.ORDERS_EXPORT,
          JobCatalog.EXPORT_ID, JobCatalog.EVENT_ID);

  static final String NOTIFY_OUTBOX = "SELECT pg_notify('onsale_outbox', '')";

  static final String SELECT_EXPORT = """
      SELECT id, event_id, status, path, orders, created_at, finished_at FROM order_exports WHERE id = $1""";
}
