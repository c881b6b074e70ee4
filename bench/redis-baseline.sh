#!/usr/bin/env bash
# Redis's own ceiling for the waiting room's commands: redis-benchmark, one command per request
# (no pipelining, as the waiting room sends them), on keys under a private prefix that are
# deleted afterwards. INCR is the join (the arrival number); GET/HGETALL are the snapshot refresh;
# HSET the member record; ZADD/ZREMRANGEBYSCORE/ZCARD the active shoppers.
#
# Settings (environment): REDIS_HOST (127.0.0.1), REDIS_PORT (6379), REQUESTS (200000),
# CLIENTS (50), PREFIX (bench:redis-baseline:<pid>:), OUT (file for the tab-separated results).
set -euo pipefail

REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
REQUESTS="${REQUESTS:-200000}"
CLIENTS="${CLIENTS:-50}"
PREFIX="${PREFIX:-bench:redis-baseline:$$:}"
OUT="${OUT:-}"

command -v redis-benchmark >/dev/null || { echo "redis-baseline: redis-benchmark is missing (Debian: apt-get install redis-tools)" >&2; exit 1; }

K="${PREFIX}{event:1}:"
cleanup() {
  redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL "${K}arrivals" "${K}serving" "${K}members" "${K}meta" "${K}active" >/dev/null || true
}
trap cleanup EXIT
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" HSET "${K}meta" id 1 slug bench name Bench admissionRatePerMinute 60000 \
  maxActiveShoppers 1000 waitingRoom on preQueue fifo paused false >/dev/null
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" SET "${K}serving" 12345 >/dev/null

run() {
  local name="$1"
  shift
  local rps
  rps=$(redis-benchmark -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REQUESTS" -c "$CLIENTS" -r 1000000 --csv "$@" \
        | awk -F'","' 'NR == 2 {print $2}')
  printf "%-20s %12s\n" "$name" "$rps" >&2
  printf "%s\t%s\n" "$name" "$rps" >> "$RESULTS"
}

RESULTS="$(mktemp)"
printf "%-20s %12s\n" command requests/s >&2
run INCR INCR "${K}arrivals"
run GET GET "${K}serving"
run HGETALL HGETALL "${K}meta"
run HSET HSET "${K}members" "m:__rand_int__" "__rand_int__"
run ZADD ZADD "${K}active" "__rand_int__" "__rand_int__"
run ZREMRANGEBYSCORE ZREMRANGEBYSCORE "${K}active" 0 10
run ZCARD ZCARD "${K}active"
if [ -n "$OUT" ]; then
  cp "$RESULTS" "$OUT"
fi
cat "$RESULTS"
rm -f "$RESULTS"
