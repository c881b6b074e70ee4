-- Onsale schema: one row per sellable ticket (as alf.io does), claimed with FOR UPDATE SKIP LOCKED.
-- Availability is always derived from ticket rows, never from a counter that can drift.

CREATE TABLE events (
  id                         BIGSERIAL PRIMARY KEY,
  slug                       TEXT NOT NULL UNIQUE,
  name                       TEXT NOT NULL,
  venue                      TEXT NOT NULL,
  starts_at                  TIMESTAMPTZ NOT NULL,
  queue_opens_at             TIMESTAMPTZ NOT NULL,
  sale_starts_at             TIMESTAMPTZ NOT NULL,
  sale_ends_at               TIMESTAMPTZ NOT NULL,
  admission_rate_per_minute  INTEGER NOT NULL CHECK (admission_rate_per_minute > 0),
  max_active_shoppers        INTEGER NOT NULL CHECK (max_active_shoppers > 0),
  max_tickets_per_order      INTEGER NOT NULL CHECK (max_tickets_per_order > 0),
  hold_seconds               INTEGER NOT NULL CHECK (hold_seconds > 0),
  waiting_room               BOOLEAN NOT NULL,
  pre_queue                  TEXT NOT NULL CHECK (pre_queue IN ('fifo', 'random')),
  paused                     BOOLEAN NOT NULL DEFAULT false,
  created_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at                 TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (queue_opens_at <= sale_starts_at AND sale_starts_at < sale_ends_at)
);

CREATE TABLE categories (
  id           BIGSERIAL PRIMARY KEY,
  event_id     BIGINT NOT NULL REFERENCES events (id),
  name         TEXT NOT NULL,
  price_cents  INTEGER NOT NULL CHECK (price_cents >= 0),
  currency     TEXT NOT NULL,
  capacity     INTEGER NOT NULL CHECK (capacity > 0),
  position     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (event_id, name)
);

-- A ticket is free when it is open and its hold (if any) has ended: held_until is '-infinity'
-- for a ticket never held, so free tickets are exactly the index range held_until < now().
-- The partial index holds only open tickets: a claim never walks past sold rows, nor past
-- rows still held.
CREATE TABLE tickets (
  id              BIGSERIAL PRIMARY KEY,
  event_id        BIGINT NOT NULL REFERENCES events (id),
  category_id     BIGINT NOT NULL REFERENCES categories (id),
  status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sold')),
  held_until      TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
  reservation_id  UUID,
  order_id        BIGINT,
  secret          TEXT NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '')
);
CREATE INDEX tickets_free ON tickets (category_id, held_until) WHERE status = 'open';
CREATE INDEX tickets_reservation ON tickets (reservation_id) WHERE reservation_id IS NOT NULL;
CREATE INDEX tickets_order ON tickets (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE reservations (
  id            UUID PRIMARY KEY,
  event_id      BIGINT NOT NULL REFERENCES events (id),
  admission_n   BIGINT,
  status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ordered', 'released', 'expired')),
  expires_at    TIMESTAMPTZ NOT NULL,
  ticket_count  INTEGER NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One active reservation per admission while the waiting room guards the event.
CREATE UNIQUE INDEX reservations_one_per_admission ON reservations (event_id, admission_n)
  WHERE admission_n IS NOT NULL AND status = 'active';
CREATE INDEX reservations_active_expiry ON reservations (expires_at) WHERE status = 'active';

CREATE TABLE orders (
  id              BIGSERIAL PRIMARY KEY,
  code            TEXT NOT NULL UNIQUE,
  secret          TEXT NOT NULL,
  event_id        BIGINT NOT NULL REFERENCES events (id),
  reservation_id  UUID NOT NULL UNIQUE REFERENCES reservations (id),
  buyer_name      TEXT NOT NULL,
  buyer_email     TEXT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'paid' CHECK (status IN ('paid', 'cancelled')),
  total_cents     BIGINT NOT NULL,
  currency        TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  cancelled_at    TIMESTAMPTZ
);
CREATE INDEX orders_event ON orders (event_id, id);

-- What was sold in an order, with the secret the ticket had then: a cancelled order keeps its
-- history while the ticket returns to sale with a new secret. The unique index makes selling a
-- ticket twice impossible at the database level.
CREATE TABLE order_tickets (
  order_id     BIGINT NOT NULL REFERENCES orders (id),
  ticket_id    BIGINT NOT NULL REFERENCES tickets (id),
  category_id  BIGINT NOT NULL REFERENCES categories (id),
  secret       TEXT NOT NULL,
  active       BOOLEAN NOT NULL DEFAULT true,
  PRIMARY KEY (order_id, ticket_id)
);
CREATE UNIQUE INDEX order_tickets_sold_once ON order_tickets (ticket_id) WHERE active;

-- Jobs for the workers, written in the same transaction as the order (transactional outbox).
CREATE TABLE outbox (
  id          BIGSERIAL PRIMARY KEY,
  queue       TEXT NOT NULL CHECK (queue IN ('tickets', 'mail', 'webhooks', 'background')),
  type        TEXT NOT NULL,
  payload     JSONB NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  relayed_at  TIMESTAMPTZ
);
CREATE INDEX outbox_unrelayed ON outbox (id) WHERE relayed_at IS NULL;

-- A rendered ticket PDF: one per ticket and secret, so a cancelled ticket's PDF is never served.
CREATE TABLE ticket_pdfs (
  ticket_id   BIGINT NOT NULL REFERENCES tickets (id),
  secret      TEXT NOT NULL,
  path        TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (ticket_id, secret)
);

-- Organizer webhooks per event; a 410 from the receiver disables one.
CREATE TABLE webhooks (
  id          BIGSERIAL PRIMARY KEY,
  event_id    BIGINT NOT NULL REFERENCES events (id),
  url         TEXT NOT NULL,
  secret      TEXT NOT NULL,
  active      BOOLEAN NOT NULL DEFAULT true,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  disabled_at TIMESTAMPTZ,
  disabled_reason TEXT
);
CREATE INDEX webhooks_event ON webhooks (event_id) WHERE active;

-- Idempotency-Key: the first response to a key is kept for 24 hours and returned again.
CREATE TABLE idempotency_keys (
  scope        TEXT NOT NULL,
  key          TEXT NOT NULL,
  status_code  INTEGER,
  body         TEXT,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);

-- Mail sent per order, so a repeated mail job sends nothing.
CREATE TABLE mail_log (
  order_id    BIGINT NOT NULL REFERENCES orders (id),
  kind        TEXT NOT NULL,
  sent_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, kind)
);
