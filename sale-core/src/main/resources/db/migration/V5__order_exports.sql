-- Exports of an event's orders as CSV, written by the background worker: the organizer asks for
-- one, the outbox carries the job, and the file is served once it is ready.
CREATE TABLE order_exports (
  id           UUID PRIMARY KEY,
  event_id     BIGINT NOT NULL REFERENCES events (id),
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
  path         TEXT,
  orders       INTEGER,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at  TIMESTAMPTZ
);
CREATE INDEX order_exports_event ON order_exports (event_id, created_at);
