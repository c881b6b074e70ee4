package dev.onsale.workers;

/** Every statement of the workers, with $n parameters, grouped by the class that runs it. */
final class WorkerSql {

  private WorkerSql() {}

  // The outbox: the relay's reads and marks (OutboxRelayVerticle) and the done marks (DoneMarks).

  static final String SELECT_OUTBOX_BATCH = """
      SELECT id, queue, type, payload, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
      FROM outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED""";

  /**
   * Marks rows relayed, each ($1[i]) with the generation of its own queue's Redis data ($2[i]). The
   * {@code = ANY($1)} gives the planner the key lookup: with only the join, a sale's not yet
   * analysed outbox was read whole for every batch.
   */
  static final String MARK_RELAYED = """
      UPDATE outbox o SET relayed_at = now(), relayed_generation = m.generation
      FROM unnest($1::bigint[], $2::text[]) AS m(id, generation) WHERE o.id = m.id AND o.id = ANY($1)""";

  /** After sending rows again: the other relays need not send them a third time. */
  static final String MARK_GENERATION = "UPDATE outbox SET relayed_generation = $2 WHERE id = ANY($1)";

  /**
   * Rows of one queue ($4) relayed but not finished, after a cursor: what Redis owed that queue when
   * it lost the queue's data (generation $3 is the queue's new one). Neither
   * locked nor skipped: a row skipped because another relay held it would be lost if that relay
   * died before appending it; reading it twice only sends a harmless copy.
   */
  static final String SELECT_OWED = """
      SELECT id, queue, type, payload, (extract(epoch FROM created_at) * 1000)::bigint AS created_ms
      FROM outbox WHERE relayed_at IS NOT NULL AND done_at IS NULL AND id > $1
        AND relayed_generation IS DISTINCT FROM $3 AND queue = $4
      ORDER BY id LIMIT $2""";

  /** The relay's listening connection: a pg_notify on this channel wakes it when outbox rows are written. */
  static final String LISTEN_OUTBOX = "LISTEN " + OutboxRelayVerticle.CHANNEL;

  static final String MARK_DONE = "UPDATE outbox SET done_at = now() WHERE id = ANY($1) AND done_at IS NULL";

  // Ticket PDFs (TicketPdfHandler).

  /** The ticket with what its page shows: the price the order kept, and its place among the order's tickets. */
  static final String SELECT_TICKET = """
      SELECT e.name AS event_name, e.venue, e.starts_at, e.time_zone, c.name AS category, l.unit_cents, o.currency,
             o.buyer_name, o.code, o.status, ot.active, ot.secret AS sold_secret, t.secret AS current_secret,
             (SELECT count(*) FROM order_tickets n WHERE n.order_id = ot.order_id AND n.active AND n.ticket_id <= ot.ticket_id) AS number,
             (SELECT count(*) FROM order_tickets n WHERE n.order_id = ot.order_id AND n.active) AS count,
             EXISTS (SELECT 1 FROM ticket_pdfs p WHERE p.ticket_id = t.id AND p.secret = $3) AS rendered
      FROM order_tickets ot
      JOIN orders o ON o.id = ot.order_id
      JOIN order_lines l ON l.order_id = ot.order_id AND l.category_id = ot.category_id
      JOIN tickets t ON t.id = ot.ticket_id
      JOIN categories c ON c.id = ot.category_id
      JOIN events e ON e.id = o.event_id
      WHERE ot.order_id = $1 AND ot.ticket_id = $2""";

  static final String RECORD_PDF = """
      INSERT INTO ticket_pdfs (ticket_id, secret, path, bytes) VALUES ($1, $2, $3, $4)
      ON CONFLICT (ticket_id, secret) DO NOTHING""";

  // Confirmation mails (ConfirmationMailHandler).

  static final String SELECT_MAIL_ORDER = """
      SELECT o.code, o.secret, o.status, o.buyer_name, o.buyer_email, e.name AS event_name, e.venue, e.starts_at, e.time_zone,
             EXISTS (SELECT 1 FROM mail_log m WHERE m.order_id = o.id AND m.kind = $2) AS sent
      FROM orders o JOIN events e ON e.id = o.event_id WHERE o.id = $1""";

  /**
   * The order's tickets with their PDFs, each PDF looked up by its key ({@code LIMIT 1} keeps it a
   * lookup, as the sale core's order view does): as a plain join, a mail connection that planned it
   * while the PDFs lagged behind the orders (a paid sale's first seconds, tables not yet analysed)
   * kept a plan that read every PDF row on each mail (0.86 ms a read on average over a paid
   * 5,000-ticket sale in the bench, against 0.03 ms).
   */
  static final String SELECT_MAIL_PDFS = """
      SELECT ot.ticket_id, pdf.path FROM order_tickets ot
      LEFT JOIN LATERAL (
        SELECT p.path FROM ticket_pdfs p
         WHERE p.ticket_id = ot.ticket_id AND p.secret = ot.secret
         LIMIT 1) pdf ON true
      WHERE ot.order_id = $1 AND ot.active ORDER BY ot.ticket_id""";

  static final String CLAIM_MAIL = """
      INSERT INTO mail_log (order_id, kind) VALUES ($1, $2) ON CONFLICT (order_id, kind) DO NOTHING""";

  // Webhook deliveries (WebhookHandler).

  static final String SELECT_HOOKS = """
      SELECT w.id, w.url, w.secret,
             EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.job_id = $2 AND d.hook_id = w.id) AS delivered
      FROM webhooks w WHERE w.event_id = $1 AND w.active ORDER BY w.id""";

  static final String RECORD_DELIVERY = """
      INSERT INTO webhook_deliveries (job_id, hook_id) VALUES ($1, $2) ON CONFLICT DO NOTHING""";

  static final String DISABLE_HOOK = """
      UPDATE webhooks SET active = false, disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND active""";

  // The background queue: a cancelled ticket's old PDFs (BackgroundHandler) and order exports (OrderExport).

  /** Forgets a ticket's PDF of one secret, with its path for deleting the file. */
  static final String FORGET_TICKET_PDF = "DELETE FROM ticket_pdfs WHERE ticket_id = $1 AND secret = $2 RETURNING path";

  static final String SELECT_EXPORT_ORDERS = """
      SELECT o.code, order_status_now(o.status, o.keep_until) AS status, o.buyer_name, o.buyer_email, o.total_cents,
             o.currency, o.created_at, o.ticket_count AS tickets
        FROM orders o WHERE o.event_id = $1 ORDER BY o.id""";

  static final String MARK_EXPORT_READY = """
      UPDATE order_exports SET status = 'ready', path = $2, orders = $3, finished_at = now() WHERE id = $1""";

  // Housekeeping.

  static final String DELETE_OLD_IDEMPOTENCY_KEYS =
      "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'";

  /** Webhook delivery records outlive the longest webhook retry period (a day by default). */
  static final String DELETE_OLD_WEBHOOK_DELIVERIES =
      "DELETE FROM webhook_deliveries WHERE delivered_at < now() - make_interval(secs => $1)";

  /** Every recorded PDF with whether it can still be served. */
  static final String SELECT_STORED_PDFS = """
      SELECT p.ticket_id, p.secret, p.path, p.bytes,
             (t.secret = p.secret AND EXISTS (
                SELECT 1 FROM order_tickets ot JOIN orders o ON o.id = ot.order_id
                WHERE ot.ticket_id = p.ticket_id AND ot.secret = p.secret AND ot.active AND o.status = 'paid')) AS live
      FROM ticket_pdfs p JOIN tickets t ON t.id = p.ticket_id""";

  /** Forgets a PDF that can no longer be served, before its file is deleted. */
  static final String FORGET_DEAD_PDF = "DELETE FROM ticket_pdfs WHERE ticket_id = $1 AND secret = $2";
}
