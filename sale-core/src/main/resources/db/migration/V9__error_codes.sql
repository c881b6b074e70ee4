-- Errors as codes, not message text: every business error a live function raises carries a
-- SQLSTATE of Onsale's own class OS, and Java decides on that code (SaleError), never on the
-- message, which stays for people reading logs. reserve_tickets (V6) was the last function still
-- raising one with PL/pgSQL's generic P0001: 'sold_out' is OS009 now. Re-created exactly as in V6
-- otherwise.

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
      RAISE EXCEPTION 'sold_out' USING ERRCODE = 'OS009', DETAIL = p_categories[i]::text;
    END IF;
    v_total := v_total + v_claimed;
  END LOOP;
  INSERT INTO reservations (id, event_id, admission_n, expires_at, ticket_count)
  VALUES (p_reservation, p_event, p_admission, v_until, v_total);
END
$$;
