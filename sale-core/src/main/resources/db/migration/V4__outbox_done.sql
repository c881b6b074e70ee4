-- When a worker finished a job (its effect is durable) or dead-lettered it. A row relayed but not
-- done is still owed: if Redis loses its streams, the relay sends these rows again.
ALTER TABLE outbox ADD COLUMN done_at TIMESTAMPTZ;
-- The Redis job generation (a marker the relay keeps in Redis) a row was relayed into: only rows
-- relayed into an earlier generation were lost with Redis's data; rows another relay already sent
-- into the current one are not sent again.
ALTER TABLE outbox ADD COLUMN relayed_generation TEXT;
-- Rows relayed before this column existed count as done: nothing tracked them, and sending a whole
-- history again after the first Redis restart would repeat every webhook.
UPDATE outbox SET done_at = relayed_at WHERE relayed_at IS NOT NULL;
CREATE INDEX outbox_relayed_not_done ON outbox (id) WHERE relayed_at IS NOT NULL AND done_at IS NULL;

-- Hooks a webhook job (outbox row) already reached, so a job run again (a retry, or after Redis
-- lost its data) does not deliver twice to the hooks that answered 2xx. Housekeeping deletes old rows.
CREATE TABLE webhook_deliveries (
  job_id       BIGINT NOT NULL,
  hook_id      BIGINT NOT NULL,
  delivered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, hook_id)
);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (delivered_at);
