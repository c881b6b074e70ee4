-- Only a reservation's maker may order or release it. A reservation made with an admission belongs
-- to that admission (its event and number), whose token the buyer presents; one made without an
-- admission belongs to whoever holds its secret, which the sale core derives from the reservation's
-- id with its token key and checks before it gets here (nothing about it is stored). To anyone else
-- a reservation does not exist: the same answer as an unknown id, so its existence is not revealed.

-- Whether the presented admission (event and number; both NULL for the secret, already checked)
-- is the one a reservation was made with.
CREATE FUNCTION reservation_owned_by(r_event BIGINT, r_admission BIGINT, p_event BIGINT, p_admission BIGINT)
RETURNS BOOLEAN
LANGUAGE sql IMMUTABLE
AS $$
  SELECT r_admission IS NOT DISTINCT FROM p_admission AND (p_admission IS NULL OR r_event = p_event)
$$;

-- place_order (V6) for the reservation's owner only; anyone else gets 'reservation_not_found'.
CREATE FUNCTION place_owned_order(
    p_reservation UUID, p_event BIGINT, p_admission BIGINT, p_code TEXT, p_secret TEXT, p_buyer_name TEXT,
    p_buyer_email TEXT, p_payment UUID, p_provider TEXT, p_address TEXT, p_max_pending INTEGER)
RETURNS TABLE (order_id BIGINT, event_id BIGINT, admission_n BIGINT, status TEXT, total_cents BIGINT,
               currency TEXT, payment_expires_at TIMESTAMPTZ, ticket_id BIGINT, category_id BIGINT)
LANGUAGE plpgsql
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM reservations r
                  WHERE r.id = p_reservation
                    AND reservation_owned_by(r.event_id, r.admission_n, p_event, p_admission)) THEN
    RAISE EXCEPTION 'reservation_not_found' USING ERRCODE = 'OS002';
  END IF;
  RETURN QUERY SELECT * FROM place_order(p_reservation, p_code, p_secret, p_buyer_name, p_buyer_email,
                                         p_payment, p_provider, p_address, p_max_pending);
END
$$;
