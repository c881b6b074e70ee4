#!/usr/bin/env bash
# The HTTP ceiling next to Onsale's hot buyer endpoints, measured with wrk against a running Onsale:
#   live    GET /health/live: the most trivial answer the server has (the HTTP ceiling)
#   status  GET /api/v1/events/{id}/queue/status with a queue token: the hot answer, from memory
#   join    POST /api/v1/events/{id}/queue without a token: a new place in line (Redis INCR)
# Joins are rate limited per address: start Onsale with ONSALE_JOIN_RATE_PER_MINUTE high enough
# (run-all.sh does). Installs wrk (Debian package) when it is missing.
#
# Settings (environment): BASE_URL (http://127.0.0.1:8080), ADMIN_TOKEN ($ONSALE_ADMIN_TOKEN or the
# development token), EVENT_ID (created when empty), DURATION seconds per run (15), CONNECTIONS (64),
# THREADS (2), ENDPOINTS ("live status join"), WARMUP seconds of unrecorded load before each
# endpoint's run, so the JIT has compiled its path as it would have in a long on-sale (5),
# OUT (file for the tab-separated results).
set -euo pipefail

BASE_URL="${BASE_URL:-http://127.0.0.1:8080}"
ADMIN_TOKEN="${ADMIN_TOKEN:-${ONSALE_ADMIN_TOKEN:-dev-admin-token}}"
EVENT_ID="${EVENT_ID:-}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-5}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
ENDPOINTS="${ENDPOINTS:-live status join}"
OUT="${OUT:-}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

if ! command -v wrk >/dev/null; then
  echo "wrk-baseline: installing wrk (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  else
    sudo apt-get update -qq >&2 && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
  fi
fi
command -v curl >/dev/null || { echo "wrk-baseline: curl is missing" >&2; exit 1; }

json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

if [ -z "$EVENT_ID" ] && [[ " $ENDPOINTS " == *" status "* || " $ENDPOINTS " == *" join "* ]]; then
  now=$(date -u +%s)
  iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
  # The queue is open and the sale starts in an hour: every status answer is the waiting line's.
  body=$(cat <<JSON
{"name":"wrk baseline","slug":"wrk-$now-$$","venue":"Bench Hall",
 "startsAt":"$(iso $((now + 86400 * 30)))","queueOpensAt":"$(iso $((now - 60)))",
 "saleStartsAt":"$(iso $((now + 3600)))","saleEndsAt":"$(iso $((now + 86400)))",
 "admissionRatePerMinute":600,"maxActiveShoppers":100,"maxTicketsPerOrder":4,"holdSeconds":600,
 "waitingRoom":"on","preQueue":"fifo",
 "categories":[{"name":"Standing","priceCents":4500,"currency":"EUR","capacity":1000}]}
JSON
)
  EVENT_ID=$(curl -fsS -X POST "$BASE_URL/api/v1/admin/events" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H "Content-Type: application/json" -d "$body" | json_field id)
  echo "wrk-baseline: created event $EVENT_ID" >&2
fi

cat > "$WORK/join.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/json"
LUA

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
printf "%-8s %12s %10s %10s %8s\n" endpoint requests/s p50 p99 non-2xx >&2
for endpoint in $ENDPOINTS; do
  args=()
  case "$endpoint" in
    live) url="$BASE_URL/health/live" ;;
    status)
      token=$(curl -fsS -X POST "$BASE_URL/api/v1/events/$EVENT_ID/queue" -H "Content-Type: application/json" -d '{}' \
        | json_field queueToken)
      url="$BASE_URL/api/v1/events/$EVENT_ID/queue/status"
      args=(-H "Authorization: Bearer $token") ;;
    join)
      url="$BASE_URL/api/v1/events/$EVENT_ID/queue"
      args=(-s "$WORK/join.lua") ;;
    *) echo "wrk-baseline: unknown endpoint $endpoint" >&2; exit 1 ;;
  esac
  log="$WORK/$endpoint.log"
  if [ "$WARMUP" -gt 0 ]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${args[@]}" "$url" > /dev/null
  fi
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "${args[@]}" "$url" > "$log"
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p50=$(awk '$1 == "50%" {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $4}' "$log")
  printf "%-8s %12s %10s %10s %8s\n" "$endpoint" "$rps" "$p50" "$p99" "${bad:-0}" >&2
  printf "%s\t%s\t%s\t%s\t%s\n" "$endpoint" "$rps" "$p50" "$p99" "${bad:-0}" >> "$RESULTS"
done
if [ -n "$OUT" ]; then
  cp "$RESULTS" "$OUT"
fi
cat "$RESULTS"
