-- The sale's write paths as functions: each is one round trip and one atomic statement, so an
-- all-or-nothing reservation of several categories, or an order with its outbox rows, never
-- leaves half its work behind.

-- Claims p_quantities[i] free tickets of p_categories[i] for every i, or nothing: a category
-- short of tickets raises 'sold_out' (DETAIL: its id) and rolls back every claim. Each claim is
-- the single statement UPDATE ... WHERE id IN (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED), so
-- concurrent buyers never wait on each other's row locks. enable_seqscan = off pins the plan to
-- the partial index tickets_free: on a fresh table every row matches and the planner would
-- otherwise scan the table, re-reading taken rows at its start.
CREATE FUNCTION reserve_tickets(
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
  IF p_admission IS NOT NULL THEN
    UPDATE reservations r SET status = 'expired'
     WHERE r.event_id = p_event AND r.admission_n = p_admission
       AND r.status = 'active' AND r.expires_at < now();
  END IF;
  FOR i IN 1 .. coalesce(array_length(p_categories, 1), 0) LOOP
    RETURN QUERY
      UPDATE tickets t
         SET held_until = v_until, reservation_id = p_reservation
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

-- Turns an active, unexpired hold into an order: a compare-and-set on the ticket rows (still held
-- by this reservation, hold not expired) and, in the same transaction, the outbox rows for the
-- ticket PDFs, the confirmation mail and the webhook. Raises 'reservation_not_found',
-- 'reservation_not_active' (DETAIL: its status) or 'hold_expired'.
CREATE FUNCTION place_order(
    p_reservation UUID, p_code TEXT, p_secret TEXT, p_buyer_name TEXT, p_buyer_email TEXT)
RETURNS TABLE (order_id BIGINT, event_id BIGINT, admission_n BIGINT, ticket_id BIGINT,
               category_id BIGINT, total_cents BIGINT, currency TEXT)
LANGUAGE plpgsql
AS $$
DECLARE
  v_res reservations%ROWTYPE;
  v_order BIGINT;
  v_total BIGINT;
  v_currency TEXT;
  v_sold INTEGER;
  v_tickets JSONB;
BEGIN
  SELECT * INTO v_res FROM reservations r WHERE r.id = p_reservation FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'reservation_not_found' USING ERRCODE = 'P0002';
  END IF;
  IF v_res.status <> 'active' THEN
    RAISE EXCEPTION 'reservation_not_active' USING ERRCODE = 'P0003', DETAIL = v_res.status;
  END IF;

  SELECT coalesce(sum(c.price_cents), 0), min(c.currency) INTO v_total, v_currency
    FROM tickets t JOIN categories c ON c.id = t.category_id
   WHERE t.reservation_id = p_reservation AND t.status = 'open' AND t.held_until >= now();

  INSERT INTO orders (code, secret, event_id, reservation_id, buyer_name, buyer_email, total_cents, currency)
  VALUES (p_code, p_secret, v_res.event_id, p_reservation, p_buyer_name, p_buyer_email, v_total,
          coalesce(v_currency, 'EUR'))
  RETURNING id INTO v_order;

  UPDATE tickets t SET status = 'sold', order_id = v_order
   WHERE t.reservation_id = p_reservation AND t.status = 'open' AND t.held_until >= now();
  GET DIAGNOSTICS v_sold = ROW_COUNT;
  IF v_sold <> v_res.ticket_count THEN
    RAISE EXCEPTION 'hold_expired' USING ERRCODE = 'P0004';
  END IF;

  INSERT INTO order_tickets (order_id, ticket_id, category_id, secret)
  SELECT v_order, t.id, t.category_id, t.secret FROM tickets t WHERE t.order_id = v_order;

  UPDATE reservations r SET status = 'ordered' WHERE r.id = p_reservation;

  SELECT jsonb_agg(jsonb_build_object('id', t.id, 'categoryId', t.category_id) ORDER BY t.id)
    INTO v_tickets FROM tickets t WHERE t.order_id = v_order;

  INSERT INTO outbox (queue, type, payload)
  SELECT 'tickets', 'ticket.pdf',
         jsonb_build_object('orderId', v_order, 'orderCode', p_code, 'ticketId', t.id, 'secret', t.secret)
    FROM tickets t WHERE t.order_id = v_order ORDER BY t.id;
  INSERT INTO outbox (queue, type, payload)
  VALUES ('mail', 'order.confirmation', jsonb_build_object('orderId', v_order, 'orderCode', p_code)),
         ('webhooks', 'order.created', jsonb_build_object(
            'eventId', v_res.event_id, 'orderId', v_order, 'orderCode', p_code,
            'status', 'paid', 'tickets', v_tickets));
  PERFORM pg_notify('onsale_outbox', '');

  RETURN QUERY
    SELECT v_order, v_res.event_id, v_res.admission_n, t.id, t.category_id, v_total, coalesce(v_currency, 'EUR')
      FROM tickets t WHERE t.order_id = v_order ORDER BY t.id;
END
$$;

-- Cancels a paid order: its tickets go back on sale at once with new secrets (old QR codes and
-- PDFs stop working), and the workers hear of it through the outbox. Raises 'order_not_found'
-- or 'order_not_paid' (DETAIL: its status).
CREATE FUNCTION cancel_order(p_code TEXT)
RETURNS TABLE (order_id BIGINT, event_id BIGINT, tickets_returned INTEGER)
LANGUAGE plpgsql
AS $$
DECLARE
  v_order orders%ROWTYPE;
  v_old JSONB;
  v_tickets JSONB;
  v_count INTEGER;
BEGIN
  SELECT * INTO v_order FROM orders o WHERE o.code = p_code FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order_not_found' USING ERRCODE = 'P0002';
  END IF;
  IF v_order.status <> 'paid' THEN
    RAISE EXCEPTION 'order_not_paid' USING ERRCODE = 'P0003', DETAIL = v_order.status;
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
   WHERE t.order_id = v_order.id;
  GET DIAGNOSTICS v_count = ROW_COUNT;

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
