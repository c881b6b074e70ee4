-- Paying for tickets (DESIGN.md, "Paying for tickets"). A hold becomes an order; an order whose
-- total is above zero is 'pending' while the buyer pays, and its tickets stay kept for it: they are
-- open rows with order_id set and held_until = the payment window's end plus its grace. So a kept
-- ticket is simply not free (held_until >= now()) and comes back on its own when the grace ends,
-- with no sweeper running; every claim sets order_id to NULL when it takes a ticket.

ALTER TABLE events
  ADD COLUMN payment_seconds INTEGER NOT NULL DEFAULT 900 CHECK (payment_seconds BETWEEN 30 AND 86400),
  ADD COLUMN payment_grace_seconds INTEGER NOT NULL DEFAULT 120 CHECK (payment_grace_seconds BETWEEN 0 AND 3600),
  ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC',
  ADD COLUMN join_challenge TEXT NOT NULL DEFAULT 'none' CHECK (join_challenge IN ('none', 'pow')),
  ADD COLUMN pow_difficulty INTEGER NOT NULL DEFAULT 17 CHECK (pow_difficulty BETWEEN 1 AND 32);

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN
  ('pending', 'paid', 'expired', 'cancelled', 'refunded', 'refund_failed', 'refund_due'));
ALTER TABLE orders
  ADD COLUMN payment_expires_at TIMESTAMPTZ,
  ADD COLUMN keep_until TIMESTAMPTZ,
  ADD COLUMN paid_at TIMESTAMPTZ,
  ADD COLUMN paid_by UUID,
  ADD COLUMN buyer_address TEXT,
  ADD COLUMN ticket_count INTEGER;
UPDATE orders o SET ticket_count = (SELECT count(*) FROM order_tickets ot WHERE ot.order_id = o.id),
                    paid_at = o.created_at;
ALTER TABLE orders ALTER COLUMN ticket_count SET NOT NULL;
CREATE INDEX orders_pending_keep ON orders (keep_until) WHERE status = 'pending';
CREATE INDEX orders_pending_address ON orders (event_id, buyer_address) WHERE status = 'pending';

-- What the buyer ordered, at the prices of the moment the order was placed: a late payment is
-- completed at these prices, whatever the categories cost by then.
CREATE TABLE order_lines (
  order_id     BIGINT NOT NULL REFERENCES orders (id),
  category_id  BIGINT NOT NULL REFERENCES categories (id),
  quantity     INTEGER NOT NULL CHECK (quantity > 0),
  unit_cents   BIGINT NOT NULL CHECK (unit_cents >= 0),
  PRIMARY KEY (order_id, category_id)
);
INSERT INTO order_lines (order_id, category_id, quantity, unit_cents)
SELECT ot.order_id, ot.category_id, count(*), min(c.price_cents)
  FROM order_tickets ot JOIN categories c ON c.id = ot.category_id
 GROUP BY ot.order_id, ot.category_id;

-- One row per payment attempt, written before the provider is called: its id is the provider's
-- reference (client_reference_id), so every charge can be matched to an order, webhooks or not.
-- A payment's status only moves forward (payment_status_rank).
CREATE TABLE payments (
  id                  UUID PRIMARY KEY,
  order_id            BIGINT NOT NULL REFERENCES orders (id),
  event_id            BIGINT NOT NULL REFERENCES events (id),
  provider            TEXT NOT NULL CHECK (provider IN ('stripe', 'manual', 'test')),
  status              TEXT NOT NULL DEFAULT 'created' CHECK (status IN
                        ('created', 'open', 'processing', 'failed', 'expired', 'succeeded',
                         'refund_pending', 'refunded', 'refund_failed', 'refund_due')),
  amount_cents        BIGINT NOT NULL CHECK (amount_cents >= 0),
  currency            TEXT NOT NULL,
  window_ends_at      TIMESTAMPTZ NOT NULL,
  session_id          TEXT,
  checkout_url        TEXT,
  charge_ref          TEXT,
  received_cents      BIGINT,
  received_currency   TEXT,
  refund_reason       TEXT,
  refund_id           TEXT,
  last_error          TEXT,
  reconcile_queued_at TIMESTAMPTZ,
  created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  succeeded_at        TIMESTAMPTZ,
  refunded_at         TIMESTAMPTZ
);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_window ON payments (window_ends_at)
  WHERE status IN ('created', 'open', 'processing') AND reconcile_queued_at IS NULL;
CREATE INDEX payments_refund_trouble ON payments (event_id) WHERE status IN ('refund_failed', 'refund_due');

-- Provider notifications already handled, by the provider's event id: a replay is a no-op.
CREATE TABLE payment_notifications (
  provider     TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  payment_id   UUID,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, event_id)
);

-- The 'test' provider's own record of its sessions: the provider that the pay page of the demo and
-- the tests talks to. Reconciliation asks it what happened, as it asks Stripe.
CREATE TABLE test_provider_sessions (
  payment_id   UUID PRIMARY KEY,
  status       TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'expired', 'refunded')),
  amount_cents BIGINT NOT NULL,
  currency     TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE outbox DROP CONSTRAINT outbox_queue_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_queue_check
  CHECK (queue IN ('tickets', 'mail', 'webhooks', 'background', 'payments'));

-- An admission that placed an order is used: reserving again with it is refused.
CREATE INDEX reservations_admission_used ON reservations (event_id, admission_n)
  WHERE admission_n IS NOT NULL AND status = 'ordered';

CREATE FUNCTION payment_status_rank(p_status TEXT) RETURNS INTEGER
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_status
    WHEN 'created' THEN 0 WHEN 'open' THEN 1 WHEN 'processing' THEN 2
    WHEN 'failed' THEN 3 WHEN 'expired' THEN 3 WHEN 'succeeded' THEN 4
    WHEN 'refund_pending' THEN 5 WHEN 'refund_due' THEN 6 WHEN 'refund_failed' THEN 6
    WHEN 'refunded' THEN 7 END
$$;

-- The status a buyer or organizer sees: a pending order past its window and grace is expired at
-- once, before anything rewrites its row.
CREATE FUNCTION order_status_now(p_status TEXT, p_keep_until TIMESTAMPTZ) RETURNS TEXT
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN p_status = 'pending' AND p_keep_until <= now() THEN 'expired' ELSE p_status END
$$;

-- Every claim: takes tickets that are free now (open, hold and keep ended) and clears whose they were.
CREATE OR REPLACE FUNCTION reserve_tickets(
    p_event BIGINT, p_reservation UUID, p_admission BIGINT, p_hold_seconds INTEGER,
    p_categories BIGINT[], p_quantities INTEGER[])
RETURNS TABLE (ticket_id BIGINT, category_id BIGINT, held_until TIMESTAMPTZ)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  v_until TIMESTAMPTZ := now() + make_interval(secs => p_hold_seconds);
  v_claimed INTEGER;
  v_total INTEGER := 0;
BEGIN
  -- A pause bites at once on every instance: the claim itself reads it, not a cache.
  IF (SELECT e.paused FROM events e WHERE e.id = p_event) THEN
    RAISE EXCEPTION 'sale_paused' USING ERRCODE = 'OS008';
  END IF;
  IF p_admission IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM reservations r WHERE r.event_id = p_event AND r.admission_n = p_admission
                  AND r.status = 'ordered') THEN
      RAISE EXCEPTION 'admission_used' USING ERRCODE = 'OS003';
    END IF;
    UPDATE reservations r SET status = 'expired'
     WHERE r.event_id = p_event AND r.admission_n = p_admission
       AND r.status = 'active' AND r.expires_at < now();
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_categories, 1), 0) LOOP
    RETURN QUERY
      UPDATE tickets t
         SET held_until = v_until, reservation_id = p_reservation, order_id = NULL
       WHERE t.id IN (
         SELECT f.id FROM tickets f
          WHERE f.category_id = p_categories[i] AND f.status = 'open' AND f.held_until < now()
          ORDER BY f.held_until
          LIMIT p_quantities[i]
          FOR UPDATE SKIP LOCKED)
      RETURNING t.id, t.category_id, v_until;
    GET DIAGNOSTICS v_claimed = ROW_COUNT;
    IF v_claimed < p_quantities[i] THEN
      RAISE EXCEPTION 'sold_out' USING ERRCODE = 'P0001', DETAIL = p_categories[i]::text;
    END IF;
    v_total := v_total + v_claimed;
  END LOOP;
  INSERT INTO reservations (id, event_id, admission_n, expires_at, ticket_count)
  VALUES (p_reservation, p_event, p_admission, v_until, v_total);
END
$$;

-- As in V3; an admission already used for an order gets one row with a NULL ticket and a NULL
-- held_until, like an admission in use, and the caller tells them apart by asking again.
CREATE OR REPLACE FUNCTION reserve_batch(
    p_event BIGINT, p_category BIGINT, p_hold_seconds INTEGER,
    p_reservations UUID[], p_admissions BIGINT[], p_quantities INTEGER[])
RETURNS TABLE (reservation_id UUID, ticket_id BIGINT, held_until TIMESTAMPTZ)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  v_until TIMESTAMPTZ := now() + make_interval(secs => p_hold_seconds);
  v_wanted INTEGER := (SELECT coalesce(sum(q), 0) FROM unnest(p_quantities) q);
  v_ids BIGINT[];
  v_have INTEGER;
  v_next INTEGER := 1;
  v_mine BIGINT[];
BEGIN
  IF (SELECT e.paused FROM events e WHERE e.id = p_event) THEN
    RAISE EXCEPTION 'sale_paused' USING ERRCODE = 'OS008';
  END IF;
  SELECT coalesce(array_agg(s.id ORDER BY s.held_until, s.id), '{}') INTO v_ids FROM (
    SELECT f.id, f.held_until FROM tickets f
     WHERE f.category_id = p_category AND f.status = 'open' AND f.held_until < now()
     ORDER BY f.held_until
     LIMIT v_wanted
     FOR UPDATE SKIP LOCKED) s;
  v_have := coalesce(array_length(v_ids, 1), 0);

  FOR i IN 1 .. coalesce(array_length(p_reservations, 1), 0) LOOP
    IF p_admissions[i] IS NOT NULL AND EXISTS (
        SELECT 1 FROM reservations r WHERE r.event_id = p_event AND r.admission_n = p_admissions[i]
           AND r.status = 'ordered') THEN
      RETURN QUERY SELECT p_reservations[i], NULL::BIGINT, '-infinity'::TIMESTAMPTZ;
      CONTINUE;
    END IF;
    CONTINUE WHEN v_next + p_quantities[i] - 1 > v_have;
    IF p_admissions[i] IS NOT NULL THEN
      UPDATE reservations r SET status = 'expired'
       WHERE r.event_id = p_event AND r.admission_n = p_admissions[i]
         AND r.status = 'active' AND r.expires_at < now();
    END IF;
    INSERT INTO reservations (id, event_id, admission_n, expires_at, ticket_count)
    VALUES (p_reservations[i], p_event, p_admissions[i], v_until, p_quantities[i])
    ON CONFLICT (event_id, admission_n) WHERE admission_n IS NOT NULL AND status = 'active' DO NOTHING;
    IF NOT FOUND THEN
      RETURN QUERY SELECT p_reservations[i], NULL::BIGINT, NULL::TIMESTAMPTZ;
      CONTINUE;
    END IF;
    v_mine := v_ids[v_next : v_next + p_quantities[i] - 1];
    v_next := v_next + p_quantities[i];
    UPDATE tickets t SET held_until = v_until, reservation_id = p_reservations[i], order_id = NULL
     WHERE t.id = ANY (v_mine);
    RETURN QUERY SELECT p_reservations[i], unnest(v_mine), v_until;
  END LOOP;
END
$$;

-- The paid side of an order, shared by every way an order becomes paid: its tickets (already
-- marked sold to it) get their order_tickets rows, and the outbox receives the PDFs, the mail and
-- the order.paid webhook.
CREATE FUNCTION complete_paid_order(p_order BIGINT, p_payment UUID, p_mail TEXT)
RETURNS VOID
LANGUAGE plpgsql
AS $$
DECLARE
  v_order orders%ROWTYPE;
  v_tickets JSONB;
BEGIN
  UPDATE orders o SET status = 'paid', paid_at = now(), paid_by = p_payment
   WHERE o.id = p_order RETURNING * INTO v_order;
  INSERT INTO order_tickets (order_id, ticket_id, category_id, secret)
  SELECT p_order, t.id, t.category_id, t.secret FROM tickets t WHERE t.order_id = p_order AND t.status = 'sold';
  SELECT jsonb_agg(jsonb_build_object('id', t.id, 'categoryId', t.category_id) ORDER BY t.id)
    INTO v_tickets FROM tickets t WHERE t.order_id = p_order AND t.status = 'sold';
  INSERT INTO outbox (queue, type, payload)
  SELECT 'tickets', 'ticket.pdf',
         jsonb_build_object('orderId', p_order, 'orderCode', v_order.code, 'ticketId', t.id, 'secret', t.secret)
    FROM tickets t WHERE t.order_id = p_order AND t.status = 'sold' ORDER BY t.id;
  INSERT INTO outbox (queue, type, payload)
  VALUES ('mail', p_mail, jsonb_build_object('orderId', p_order, 'orderCode', v_order.code)),
         ('webhooks', 'order.paid', jsonb_build_object(
            'eventId', v_order.event_id, 'orderId', p_order, 'orderCode', v_order.code,
            'status', 'paid', 'totalCents', v_order.total_cents, 'currency', v_order.currency,
            'tickets', coalesce(v_tickets, '[]'::jsonb)));
  PERFORM pg_notify('onsale_outbox', '');
END
$$;

-- Turns an active, unexpired hold into an order at the prices of this moment. A total of zero is
-- paid at once; otherwise the order is pending, its tickets kept until the window's end plus its
-- grace, and its first payment row is written (before any provider is called). Raises
-- 'reservation_not_found', 'reservation_not_active' (DETAIL: its status), 'hold_expired' or
-- 'too_many_pending' (DETAIL: the tickets this address already keeps).
DROP FUNCTION place_order(UUID, TEXT, TEXT, TEXT, TEXT);
CREATE FUNCTION place_order(
    p_reservation UUID, p_code TEXT, p_secret TEXT, p_buyer_name TEXT, p_buyer_email TEXT,
    p_payment UUID, p_provider TEXT, p_address TEXT, p_max_pending INTEGER)
RETURNS TABLE (order_id BIGINT, event_id BIGINT, admission_n BIGINT, status TEXT, total_cents BIGINT,
               currency TEXT, payment_expires_at TIMESTAMPTZ, ticket_id BIGINT, category_id BIGINT)
LANGUAGE plpgsql
AS $$
DECLARE
  v_res reservations%ROWTYPE;
  v_event events%ROWTYPE;
  v_order BIGINT;
  v_total BIGINT;
  v_currency TEXT;
  v_taken INTEGER;
  v_window TIMESTAMPTZ;
  v_keep TIMESTAMPTZ;
  v_status TEXT;
  v_pending BIGINT;
BEGIN
  SELECT * INTO v_res FROM reservations r WHERE r.id = p_reservation FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'reservation_not_found' USING ERRCODE = 'OS002';
  END IF;
  IF v_res.status <> 'active' THEN
    RAISE EXCEPTION 'reservation_not_active' USING ERRCODE = 'OS004', DETAIL = v_res.status;
  END IF;
  SELECT * INTO v_event FROM events e WHERE e.id = v_res.event_id;

  SELECT coalesce(sum(c.price_cents), 0), min(c.currency) INTO v_total, v_currency
    FROM tickets t JOIN categories c ON c.id = t.category_id
   WHERE t.reservation_id = p_reservation AND t.status = 'open' AND t.held_until >= now();
  v_status := CASE WHEN v_total = 0 THEN 'paid' ELSE 'pending' END;
  v_window := CASE WHEN v_status = 'pending' THEN now() + make_interval(secs => v_event.payment_seconds) END;
  v_keep := v_window + make_interval(secs => v_event.payment_grace_seconds);

  IF v_status = 'pending' AND p_address IS NOT NULL AND NOT v_event.waiting_room THEN
    SELECT coalesce(sum(o.ticket_count), 0) INTO v_pending FROM orders o
     WHERE o.event_id = v_res.event_id AND o.buyer_address = p_address AND o.status = 'pending'
       AND o.keep_until > now();
    IF v_pending + v_res.ticket_count > p_max_pending THEN
      RAISE EXCEPTION 'too_many_pending' USING ERRCODE = 'OS005', DETAIL = v_pending::text;
    END IF;
  END IF;

  INSERT INTO orders (code, secret, event_id, reservation_id, buyer_name, buyer_email, status,
                      total_cents, currency, payment_expires_at, keep_until, buyer_address, ticket_count)
  VALUES (p_code, p_secret, v_res.event_id, p_reservation, p_buyer_name, p_buyer_email,
          CASE WHEN v_status = 'paid' THEN 'pending' ELSE v_status END,
          v_total, coalesce(v_currency, 'EUR'), v_window, v_keep, p_address, v_res.ticket_count)
  RETURNING id INTO v_order;

  IF v_status = 'paid' THEN
    UPDATE tickets t SET status = 'sold', order_id = v_order
     WHERE t.reservation_id = p_reservation AND t.status = 'open' AND t.held_until >= now();
  ELSE
    UPDATE tickets t SET order_id = v_order, held_until = v_keep
     WHERE t.reservation_id = p_reservation AND t.status = 'open' AND t.held_until >= now();
  END IF;
  GET DIAGNOSTICS v_taken = ROW_COUNT;
  IF v_taken <> v_res.ticket_count THEN
    RAISE EXCEPTION 'hold_expired' USING ERRCODE = 'OS006';
  END IF;

  INSERT INTO order_lines (order_id, category_id, quantity, unit_cents)
  SELECT v_order, t.category_id, count(*), min(c.price_cents)
    FROM tickets t JOIN categories c ON c.id = t.category_id
   WHERE t.order_id = v_order GROUP BY t.category_id;
  UPDATE reservations r SET status = 'ordered' WHERE r.id = p_reservation;

  INSERT INTO outbox (queue, type, payload)
  SELECT 'webhooks', 'order.created', jsonb_build_object(
            'eventId', v_res.event_id, 'orderId', v_order, 'orderCode', p_code, 'status', v_status,
            'totalCents', v_total, 'currency', coalesce(v_currency, 'EUR'),
            'tickets', jsonb_agg(jsonb_build_object('id', t.id, 'categoryId', t.category_id) ORDER BY t.id))
    FROM tickets t WHERE t.order_id = v_order;

  IF v_status = 'paid' THEN
    PERFORM complete_paid_order(v_order, NULL, 'order.confirmation');
  ELSE
    INSERT INTO payments (id, order_id, event_id, provider, amount_cents, currency, window_ends_at)
    VALUES (p_payment, v_order, v_res.event_id, p_provider, v_total, coalesce(v_currency, 'EUR'), v_window);
    PERFORM pg_notify('onsale_outbox', '');
  END IF;

  RETURN QUERY
    SELECT v_order, v_res.event_id, v_res.admission_n, v_status, v_total, coalesce(v_currency, 'EUR'),
           v_window, t.id, t.category_id
      FROM tickets t WHERE t.order_id = v_order ORDER BY t.id;
END
$$;

-- Asks for a refund of a payment through the payments queue; the order's own state is the caller's.
CREATE FUNCTION request_refund(p_payment UUID, p_reason TEXT)
RETURNS VOID
LANGUAGE plpgsql
AS $$
BEGIN
  UPDATE payments SET status = 'refund_pending', refund_reason = p_reason, updated_at = now()
   WHERE id = p_payment;
  INSERT INTO outbox (queue, type, payload)
  VALUES ('payments', 'payment.refund', jsonb_build_object('paymentId', p_payment, 'reason', p_reason));
  PERFORM pg_notify('onsale_outbox', '');
END
$$;

-- Claims, for a late payment, as many free tickets of each category as the order has, at once and
-- all or none, with the same claim statement every reservation uses. Returns false (and claims
-- nothing) when a category is short or the sale is not open.
CREATE FUNCTION claim_for_late_order(p_order BIGINT)
RETURNS BOOLEAN
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  v_order orders%ROWTYPE;
  v_event events%ROWTYPE;
  v_line RECORD;
  v_claimed INTEGER;
BEGIN
  SELECT * INTO v_order FROM orders o WHERE o.id = p_order;
  SELECT * INTO v_event FROM events e WHERE e.id = v_order.event_id;
  IF v_event.paused OR now() < v_event.sale_starts_at OR now() >= v_event.sale_ends_at THEN
    RETURN false;
  END IF;
  -- Its old kept rows, where nobody took them, are free tickets like any other now (a claim clears
  -- their order_id); they are not locked first, so that concurrent late claims never skip them.
  BEGIN
    FOR v_line IN SELECT l.category_id, l.quantity FROM order_lines l WHERE l.order_id = p_order ORDER BY l.category_id LOOP
      UPDATE tickets t
         SET status = 'sold', order_id = p_order, reservation_id = NULL, held_until = '-infinity'
       WHERE t.id IN (
         SELECT f.id FROM tickets f
          WHERE f.category_id = v_line.category_id AND f.status = 'open' AND f.held_until < now()
          ORDER BY f.held_until
          LIMIT v_line.quantity
          FOR UPDATE SKIP LOCKED);
      GET DIAGNOSTICS v_claimed = ROW_COUNT;
      IF v_claimed < v_line.quantity THEN
        RAISE EXCEPTION 'late_sold_out' USING ERRCODE = 'OS001';
      END IF;
    END LOOP;
  EXCEPTION WHEN SQLSTATE 'OS001' THEN
    RETURN false;
  END;
  RETURN true;
END
$$;

-- Settles what a provider reported for a payment, exactly the same whether a webhook, the pay page
-- or reconciliation reports it; repeating a report changes nothing. p_outcome is OPEN, PROCESSING,
-- PAID, FAILED or EXPIRED. Returns what happened: paid, late_completed, late_refunded,
-- duplicate_refunded, mismatch_refunded, processing, failed, expired or unchanged.
CREATE FUNCTION settle_payment(
    p_payment UUID, p_outcome TEXT, p_amount BIGINT, p_currency TEXT, p_charge_ref TEXT)
RETURNS TABLE (result TEXT, order_id BIGINT, event_id BIGINT, order_code TEXT)
LANGUAGE plpgsql
AS $$
DECLARE
  v_pay payments%ROWTYPE;
  v_order orders%ROWTYPE;
  v_status TEXT;
  v_sold INTEGER;
  v_result TEXT;
BEGIN
  SELECT * INTO v_pay FROM payments p WHERE p.id = p_payment FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'payment_not_found' USING ERRCODE = 'OS007';
  END IF;
  SELECT * INTO v_order FROM orders o WHERE o.id = v_pay.order_id FOR UPDATE;

  IF p_outcome <> 'PAID' THEN
    v_status := CASE p_outcome WHEN 'PROCESSING' THEN 'processing' WHEN 'FAILED' THEN 'failed'
                               WHEN 'EXPIRED' THEN 'expired' ELSE 'open' END;
    IF payment_status_rank(v_status) > payment_status_rank(v_pay.status) THEN
      UPDATE payments p SET status = v_status, updated_at = now() WHERE p.id = p_payment;
      v_result := CASE WHEN v_status = 'open' THEN 'unchanged' ELSE v_status END;
    ELSE
      v_result := 'unchanged';
    END IF;
    RETURN QUERY SELECT v_result, v_order.id, v_order.event_id, v_order.code;
    RETURN;
  END IF;

  IF payment_status_rank(v_pay.status) >= payment_status_rank('succeeded') THEN
    RETURN QUERY SELECT 'unchanged'::TEXT, v_order.id, v_order.event_id, v_order.code;
    RETURN;
  END IF;
  UPDATE payments p SET status = 'succeeded', succeeded_at = now(), updated_at = now(),
         received_cents = p_amount, received_currency = upper(p_currency),
         charge_ref = coalesce(p_charge_ref, p.charge_ref)
   WHERE p.id = p_payment;

  IF p_amount IS DISTINCT FROM v_order.total_cents OR upper(p_currency) IS DISTINCT FROM v_order.currency THEN
    PERFORM request_refund(p_payment, 'amount_mismatch');
    v_result := 'mismatch_refunded';
  ELSIF v_order.status IN ('paid', 'cancelled', 'refunded', 'refund_failed', 'refund_due') THEN
    PERFORM request_refund(p_payment, 'duplicate');
    v_result := 'duplicate_refunded';
  ELSE
    IF v_order.status = 'pending' THEN
      UPDATE tickets t SET status = 'sold', held_until = '-infinity'
       WHERE t.order_id = v_order.id AND t.status = 'open' AND t.held_until > now()
         AND v_order.keep_until > now();
      GET DIAGNOSTICS v_sold = ROW_COUNT;
      IF v_sold = v_order.ticket_count THEN
        PERFORM complete_paid_order(v_order.id, p_payment, 'order.confirmation');
        v_result := 'paid';
      ELSIF v_sold > 0 THEN
        -- Some of its rows were taken after all: never part of an order. Undo and take the late path.
        UPDATE tickets t SET status = 'open', held_until = '-infinity', order_id = NULL
         WHERE t.order_id = v_order.id AND t.status = 'sold';
      END IF;
    END IF;
    IF v_result IS NULL THEN
      UPDATE orders o SET status = 'expired' WHERE o.id = v_order.id AND o.status = 'pending';
      IF claim_for_late_order(v_order.id) THEN
        PERFORM complete_paid_order(v_order.id, p_payment, 'order.late_paid');
        v_result := 'late_completed';
      ELSE
        PERFORM request_refund(p_payment, 'late');
        INSERT INTO outbox (queue, type, payload)
        VALUES ('mail', 'order.late_refunded', jsonb_build_object('orderId', v_order.id, 'orderCode', v_order.code));
        v_result := 'late_refunded';
      END IF;
    END IF;
  END IF;
  -- One open payment per order: once it is paid, any other attempt still open is ended.
  IF v_result IN ('paid', 'late_completed') THEN
    INSERT INTO outbox (queue, type, payload)
    SELECT 'payments', 'payment.expire', jsonb_build_object('paymentId', p.id)
      FROM payments p WHERE p.order_id = v_order.id AND p.id <> p_payment AND p.status IN ('created', 'open', 'processing');
  END IF;
  RETURN QUERY SELECT v_result, v_order.id, v_order.event_id, v_order.code;
END
$$;

-- A refund the provider confirmed (or, for 'manual', that the organizer confirmed). An order whose
-- own money went back is 'refunded', unless the organizer cancelled it (it stays 'cancelled').
CREATE FUNCTION settle_refund(p_payment UUID, p_refund_id TEXT, p_status TEXT)
RETURNS TABLE (result TEXT, order_id BIGINT, event_id BIGINT)
LANGUAGE plpgsql
AS $$
DECLARE
  v_pay payments%ROWTYPE;
  v_order orders%ROWTYPE;
BEGIN
  SELECT * INTO v_pay FROM payments p WHERE p.id = p_payment FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'payment_not_found' USING ERRCODE = 'OS007';
  END IF;
  SELECT * INTO v_order FROM orders o WHERE o.id = v_pay.order_id FOR UPDATE;
  IF v_pay.status NOT IN ('refund_pending', 'refund_failed', 'refund_due')
     OR (p_status <> 'refunded' AND v_pay.status <> 'refund_pending') THEN
    RETURN QUERY SELECT 'unchanged'::TEXT, v_order.id, v_order.event_id;
    RETURN;
  END IF;
  UPDATE payments p SET status = p_status, refund_id = coalesce(p_refund_id, p.refund_id), updated_at = now(),
         refunded_at = CASE WHEN p_status = 'refunded' THEN now() END
   WHERE p.id = p_payment;
  -- The order follows when this payment was the order's own money (a late payment that found no
  -- tickets, or a paid order cancelled): a duplicate or a wrong amount leaves the order as it is.
  IF v_pay.refund_reason IN ('late', 'cancelled') THEN
    UPDATE orders o
       SET status = CASE WHEN p_status = 'refunded' AND o.status = 'cancelled' THEN 'cancelled' ELSE p_status END
     WHERE o.id = v_order.id AND o.status IN ('expired', 'pending', 'cancelled', 'refund_failed', 'refund_due');
  END IF;
  RETURN QUERY SELECT p_status, v_order.id, v_order.event_id;
END
$$;

-- Cancels an order: a paid one's tickets go back on sale at once with new secrets and its payment
-- is refunded through the payments queue; a pending one's kept tickets go back and its open
-- payments are ended. Raises 'order_not_found' or 'order_not_cancellable' (DETAIL: its status).
DROP FUNCTION cancel_order(TEXT);
CREATE FUNCTION cancel_order(p_code TEXT)
RETURNS TABLE (order_id BIGINT, event_id BIGINT, tickets_returned INTEGER)
LANGUAGE plpgsql
AS $$
DECLARE
  v_order orders%ROWTYPE;
  v_old JSONB;
  v_tickets JSONB;
  v_count INTEGER;
  v_status TEXT;
BEGIN
  SELECT * INTO v_order FROM orders o WHERE o.code = p_code FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order_not_found' USING ERRCODE = 'OS002';
  END IF;
  v_status := order_status_now(v_order.status, v_order.keep_until);
  IF v_status NOT IN ('paid', 'pending') THEN
    RAISE EXCEPTION 'order_not_cancellable' USING ERRCODE = 'OS004', DETAIL = v_status;
  END IF;

  SELECT jsonb_agg(jsonb_build_object('id', ot.ticket_id, 'secret', ot.secret) ORDER BY ot.ticket_id),
         jsonb_agg(jsonb_build_object('id', ot.ticket_id, 'categoryId', ot.category_id) ORDER BY ot.ticket_id)
    INTO v_old, v_tickets
    FROM order_tickets ot WHERE ot.order_id = v_order.id AND ot.active;

  UPDATE orders o SET status = 'cancelled', cancelled_at = now() WHERE o.id = v_order.id;
  UPDATE order_tickets ot SET active = false WHERE ot.order_id = v_order.id;
  UPDATE tickets t
     SET status = 'open', held_until = '-infinity', reservation_id = NULL, order_id = NULL,
         secret = replace(gen_random_uuid()::text, '-', '')
   WHERE t.order_id = v_order.id AND (t.status = 'sold' OR t.held_until >= now());
  GET DIAGNOSTICS v_count = ROW_COUNT;
  UPDATE tickets t SET order_id = NULL WHERE t.order_id = v_order.id;

  IF v_order.paid_by IS NOT NULL THEN
    PERFORM request_refund(v_order.paid_by, 'cancelled');
  END IF;
  INSERT INTO outbox (queue, type, payload)
  SELECT 'payments', 'payment.expire', jsonb_build_object('paymentId', p.id)
    FROM payments p WHERE p.order_id = v_order.id AND p.status IN ('created', 'open', 'processing');

  INSERT INTO outbox (queue, type, payload)
  VALUES ('webhooks', 'order.cancelled', jsonb_build_object(
            'eventId', v_order.event_id, 'orderId', v_order.id, 'orderCode', p_code,
            'status', 'cancelled', 'tickets', coalesce(v_tickets, '[]'::jsonb))),
         ('background', 'tickets.cleanup', jsonb_build_object(
            'orderId', v_order.id, 'tickets', coalesce(v_old, '[]'::jsonb)));
  PERFORM pg_notify('onsale_outbox', '');

  RETURN QUERY SELECT v_order.id, v_order.event_id, v_count;
END
$$;
