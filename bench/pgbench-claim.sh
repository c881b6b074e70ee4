#!/usr/bin/env bash
# The database's own ceiling for a reservation: pgbench runs the sale core's claim on a scratch
# database holding the real schema (the sale core's migrations) and a million tickets, at several
# client counts, and prints transactions and buyers per second.
#
# Variants (VARIANTS, default "claim reserve batch16"):
#   claim    the bare claim statement (free_tickets in V10__one_claim.sql), one buyer per
#            transaction, with the plan pinned to the partial index as the function pins it
#   reserve  SELECT reserve_tickets(...): what one unbatched reservation costs in the database
#            (claim + reservation row), one buyer per transaction
#   batch16  SELECT reserve_batch(...) for 16 buyers of one category (V3__reserve_batch.sql): the
#            coalesced claim the HTTP endpoint uses; buyers/s = tps x 16
#
# Settings (environment): PG_BASE (postgresql://postgres@127.0.0.1:5432), DB (scratch database,
# created and dropped), TICKETS (1000000), CATEGORIES (2), QUANTITY (1), CLIENTS ("8 16 32 64"),
# DURATION seconds per run (10), THREADS (2), OUT (file for the tab-separated results), KEEP=1 keeps
# the database.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
MIGRATIONS="$ROOT/sale-core/src/main/resources/db/migration"
PG_BASE="${PG_BASE:-postgresql://postgres@127.0.0.1:5432}"
DB="${DB:-onsale_pgbench_$(date +%s)_$$}"
TICKETS="${TICKETS:-1000000}"
CATEGORIES="${CATEGORIES:-2}"
QUANTITY="${QUANTITY:-1}"
# 128 clients need max_connections above 128 (the shared server here has 100): CLIENTS="8 16 32 128".
CLIENTS="${CLIENTS:-8 16 32 64}"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
VARIANTS="${VARIANTS:-claim reserve batch16}"
OUT="${OUT:-}"
KEEP="${KEEP:-0}"
URL="$PG_BASE/$DB"
WORK="$(mktemp -d)"

for tool in psql pgbench; do
  command -v "$tool" >/dev/null || { echo "pgbench-claim: $tool is missing (Debian: apt-get install postgresql-client)" >&2; exit 1; }
done

cleanup() {
  rm -rf "$WORK"
  if [ "$KEEP" != "1" ]; then
    psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

echo "pgbench-claim: scratch database $DB with $TICKETS tickets in $CATEGORIES categories" >&2
psql -q -v ON_ERROR_STOP=1 "$PG_BASE/postgres" -c "CREATE DATABASE $DB" >/dev/null
for migration in $(ls "$MIGRATIONS"/V*__*.sql | sort -V); do
  psql -q -v ON_ERROR_STOP=1 "$URL" -f "$migration" >/dev/null
done

load_tickets() {
  psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<SQL
INSERT INTO events (slug, name, venue, starts_at, queue_opens_at, sale_starts_at, sale_ends_at,
                    admission_rate_per_minute, max_active_shoppers, max_tickets_per_order,
                    hold_seconds, waiting_room, pre_queue)
VALUES ('pgbench', 'pgbench', 'Bench Hall', now() + interval '30 days', now(), now(), now() + interval '1 day',
        60000, 1000, 6, 600, false, 'fifo');
INSERT INTO categories (event_id, name, price_cents, currency, capacity, position)
SELECT 1, 'Category ' || c, 2500, 'EUR', $TICKETS / $CATEGORIES, c FROM generate_series(1, $CATEGORIES) c;
INSERT INTO tickets (event_id, category_id)
SELECT 1, c.id FROM categories c, generate_series(1, $TICKETS / $CATEGORIES);
SQL
  psql -q "$URL" -c "VACUUM ANALYZE" >/dev/null
}

# Every run starts from a sale with nothing held: earlier runs' holds and reservations are undone.
reset_sale() {
  PGOPTIONS="-c client_min_messages=warning" psql -q -v ON_ERROR_STOP=1 "$URL" >/dev/null <<SQL
UPDATE tickets SET held_until = '-infinity', reservation_id = NULL WHERE held_until > '-infinity';
TRUNCATE reservations CASCADE;
SQL
  psql -q "$URL" -c "VACUUM ANALYZE tickets" >/dev/null
}

load_tickets

# The one claim statement, as the migrated database defines it: the query free_tickets returns
# (V10__one_claim.sql, or whichever migration replaced it last), with its parameters filled in.
# Read from the database, not copied here, so that the baseline is always the sale core's claim.
claim_select() {
  local category="$1" count="$2" body
  body=$(psql -At -v ON_ERROR_STOP=1 "$URL" -c "SELECT prosrc FROM pg_proc WHERE proname = 'free_tickets'")
  body=$(printf '%s\n' "$body" | tr '\n' ' ' | sed -E 's/.*RETURN QUERY(.*);[[:space:]]*END.*/\1/')
  case "$body" in
    *"SKIP LOCKED"*) ;;
    *) echo "pgbench-claim: could not read the claim statement from free_tickets" >&2; exit 1 ;;
  esac
  printf '%s\n' "$body" | sed -e "s/p_category/$category/g" -e "s/p_count/$count/g"
}
CLAIM_SELECT="$(claim_select :cat "$QUANTITY")"

# The bare claim: the rows free_tickets picks, taken in a single statement without the function
# call around it; the cheapest claim PostgreSQL can do, and so the baseline. enable_seqscan=off
# comes from PGOPTIONS, as free_tickets sets it.
cat > "$WORK/claim.sql" <<SQL
\set cat random(1, $CATEGORIES)
UPDATE tickets t
   SET held_until = now() + make_interval(secs => 600), reservation_id = gen_random_uuid()
 WHERE t.id IN ($CLAIM_SELECT)
RETURNING t.id, t.category_id, t.held_until;
SQL
cat > "$WORK/reserve.sql" <<SQL
\set cat random(1, $CATEGORIES)
SELECT ticket_id, category_id, held_until
  FROM reserve_tickets(1, gen_random_uuid(), NULL, 600, ARRAY[:cat]::bigint[], ARRAY[$QUANTITY]::int[]);
SQL
cat > "$WORK/batch16.sql" <<SQL
\set cat random(1, $CATEGORIES)
SELECT reservation_id, ticket_id, held_until
  FROM reserve_batch(1, :cat, 600,
                     ARRAY(SELECT gen_random_uuid() FROM generate_series(1, 16)),
                     array_fill(NULL::bigint, ARRAY[16]),
                     array_fill($QUANTITY, ARRAY[16]));
SQL

buyers_per_tx() { case "$1" in batch16) echo 16 ;; *) echo 1 ;; esac; }

printf "%-8s %8s %12s %14s %10s\n" variant clients tps buyers/s "latency ms" >&2
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
for variant in $VARIANTS; do
  for clients in $CLIENTS; do
    reset_sale
    threads=$THREADS
    [ "$clients" -lt "$threads" ] && threads=$clients
    log="$WORK/$variant-$clients.log"
    PGOPTIONS="-c enable_seqscan=off" pgbench -n -M prepared -c "$clients" -j "$threads" -T "$DURATION" \
      -f "$WORK/$variant.sql" "$URL" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
    tps=$(awk -F'[ =]+' '/^tps = / {print $2; exit}' "$log")
    latency=$(awk -F'[ =]+' '/^latency average/ {print $3; exit}' "$log")
    per=$(buyers_per_tx "$variant")
    buyers=$(awk -v t="$tps" -v p="$per" 'BEGIN {printf "%.0f", t * p}')
    printf "%-8s %8s %12.0f %14s %10s\n" "$variant" "$clients" "$tps" "$buyers" "$latency" >&2
    printf "%s\t%s\t%s\t%s\t%s\n" "$variant" "$clients" "$tps" "$buyers" "$latency" >> "$RESULTS"
  done
done

# The plan must be the partial index: show it once, as the tests check it.
echo "plan of the claim's inner select:" >&2
PGOPTIONS="-c enable_seqscan=off" psql -q "$URL" -c "EXPLAIN $(claim_select 1 1)" >&2

if [ -n "$OUT" ]; then
  cp "$RESULTS" "$OUT"
fi
cat "$RESULTS"
