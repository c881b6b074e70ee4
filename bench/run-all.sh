#!/usr/bin/env bash
# Baselines and Onsale side by side, on this machine, in one go; prints the ratios the targets in
# docs/PERFORMANCE.md are stated in. Starts its own Onsale (the built jar) on a free port against a
# scratch database and Redis key prefix, and stops it and drops the database at the end.
#
#   bench/run-all.sh                 # everything, a few minutes
#   STEPS="pgbench reserve" bench/run-all.sh
#
# Steps (STEPS, default "pgbench redis wrk reserve sale"):
#   pgbench  bench/pgbench-claim.sh (the claim statement, 8/16/32/64 clients)
#   redis    bench/redis-baseline.sh (the waiting room's commands)
#   wrk      bench/wrk-baseline.sh (trivial endpoint, queue status, join)
#   reserve  onsale-bench --mode reserve-only (the HTTP reservation endpoint, waiting room off),
#            once per RESERVE_CONCURRENCY (requests in flight)
#   reserve-plain  the same against an Onsale with coalescing off (ONSALE_RESERVATION_BATCH_SIZE=1)
#   order    onsale-bench --mode order-only: the order endpoint alone (each hold ordered at once,
#            ORDER_CONCURRENCY (64) in flight for ORDER_SECONDS (30) after RESERVE_WARMUP), a priced
#            event: every order pending with its payment row (nobody pays)
#   order-free the same on a free event: every order paid when placed (PDF and mail jobs written)
#   sale-free  onsale-bench, a full on-sale of a free event (priceCents 0: orders paid when placed):
#            SALE_BUYERS (20000) buyers for SALE_TICKETS (5000) tickets, then waits for every PDF
#   sale     the same on-sale with payment: a priced event, every order paid through the test
#            provider's page (open payment.url, count its 303, press Pay), with SALE_PAY_ARGS
#            ("--decline-share 0.05": one buyer in twenty declines once, then pays a new attempt)
#   sale-mix the paid on-sale again with abandons and late payers, SALE_MIX_ARGS ("--decline-share
#            0.05 --abandon-share 0.05 --late-share 0.02"): abandoned tickets come back only after
#            the window and grace (--payment-seconds 60 --payment-grace-seconds 10, the bench's
#            defaults), so its sell-out cannot come before them
#   sale-wait a free on-sale behind a real admission rate, to measure the wait the queue page shows
#            against the wait that came: SALE_WAIT_BUYERS (2000) buyers for SALE_WAIT_TICKETS (600)
#            tickets admitted at SALE_WAIT_RATE (600) per minute, all joined before the sale starts
#            (--sale-delay 20); the report's "wait shown vs wait that came" line. SALE_WAIT_MAX_ACTIVE
#            (default: the tickets, never binding) set low makes the shoppers' slots, not the rate,
#            pace the admissions, so that the page must learn the rate achieved
#   memory   onsale-bench --mode join-only: MEMORY_BUYERS (100000) in the queue, then Onsale's heap
#   crowd    onsale-bench --mode crowd, once per size in CROWD_SIZES ("10000 100000") and per front in
#            CROWD_FRONTS ("nginx"; "direct" asks Onsale itself): that many buyers join before the
#            sale starts (CROWD_SALE_DELAY, 60 s), then wait as the queue page does while CROWD_RATE
#            (600) a minute are admitted; over CROWD_SECONDS (60) from CROWD_WARMUP (20) s after the
#            sale started: the requests the crowd sent, those that reached Onsale and its CPU; then
#            Onsale's heap after a full GC and Redis's memory. nginx is docker/nginx/nginx.conf with
#            its per-address limits and its access log taken out (every simulated buyer is 127.0.0.1)
# Each sale step gets its own fresh database and a restarted Onsale; the summary prints them side
# by side (time to sell out = the last order paid; the goal: with payment no more than 20 % later)
# with the order endpoint's and the pay step's throughput and p99. Waiting buyers follow the queue
# as the page does (the public state, their own status only when their turn may have come);
# SALE_ARGS="--follow status" (passed to every sale step) makes them poll their own status instead.
# SALE_FRONT=nginx puts nginx in front of Onsale for every sale step, as a deployment does (see the
# crowd step for what differs from docker/nginx/nginx.conf): the buyers' polls of the public queue
# state are then answered from its one-second cache.
# SALE_MAX_ACTIVE (default SALE_TICKETS: every buyer with a chance of a ticket shops at once) caps the
# buyers in the shop at once for the sale steps, as an organizer sets maxActiveShoppers to what the
# shop serves; the bench's shop requests go through their own connections, as many as buyers need at
# once, as browsers each have theirs (SALE_ARGS="--shop-connections 128" lines them up in the bench
# as stop 20 did; "--shop-connections 0" shares the queue's, as before it).
# Onsale runs with ONSALE_PAYMENT_SESSIONS_PER_SECOND (100000; the deployment default of 25/s is
# Stripe's rate and would make the pay page the bottleneck) and ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS
# (1000000: every simulated buyer comes from this one address).
# SERVER_CPUS and BENCH_CPUS (taskset core lists, both or neither; e.g. SERVER_CPUS=0 BENCH_CPUS=1)
# give the server (Onsale, PostgreSQL, Redis, nginx) and the load generator (the bench, its SMTP sink)
# cores of their own, as a bench on another machine would: on a shared core the simulated buyers'
# own work (their polls, their pay pages) is taken from the server. PostgreSQL's and Redis's running
# processes are moved for the run and given every core again at its end.
# Settings: PG_BASE, DURATION (seconds per pgbench/wrk run, 10), RESERVE_SECONDS (30),
# RESERVE_CONCURRENCY ("64 256"), RESERVE_WARMUP (seconds of unrecorded load before each
# reservation run, 5; 20 lets the JIT finish: see docs/PERFORMANCE.md, run G), RESERVE_TICKETS
# (400000), RESULTS (bench/results/<time>), KEEP=1.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
STEPS="${STEPS:-pgbench redis wrk reserve reserve-plain order-free order sale-free sale memory}"
PG_BASE="${PG_BASE:-postgresql://postgres@127.0.0.1:5432}"
DURATION="${DURATION:-10}"
RESERVE_SECONDS="${RESERVE_SECONDS:-30}"
RESERVE_CONCURRENCY="${RESERVE_CONCURRENCY:-64 256}"
RESERVE_TICKETS="${RESERVE_TICKETS:-400000}"
SALE_BUYERS="${SALE_BUYERS:-20000}"
SALE_TICKETS="${SALE_TICKETS:-5000}"
SALE_MAX_ACTIVE="${SALE_MAX_ACTIVE:-$SALE_TICKETS}"
MEMORY_BUYERS="${MEMORY_BUYERS:-100000}"
ORDER_SECONDS="${ORDER_SECONDS:-30}"
ORDER_CONCURRENCY="${ORDER_CONCURRENCY:-64}"
ORDER_TICKETS="${ORDER_TICKETS:-300000}"
SALE_FRONT="${SALE_FRONT:-direct}"
CROWD_SIZES="${CROWD_SIZES:-10000 100000}"
CROWD_FRONTS="${CROWD_FRONTS:-nginx}"
CROWD_SALE_DELAY="${CROWD_SALE_DELAY:-60}"
CROWD_RATE="${CROWD_RATE:-600}"
CROWD_SECONDS="${CROWD_SECONDS:-60}"
CROWD_WARMUP="${CROWD_WARMUP:-20}"
SALE_PAY_ARGS="${SALE_PAY_ARGS:---decline-share 0.05}"
SALE_MIX_ARGS="${SALE_MIX_ARGS:---decline-share 0.05 --abandon-share 0.05 --late-share 0.02}"
PAYMENT_SESSIONS_PER_SECOND="${ONSALE_PAYMENT_SESSIONS_PER_SECOND:-100000}"
MAX_PENDING_PER_ADDRESS="${ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS:-1000000}"
STAMP="$(date -u +%Y%m%d-%H%M%S)"
ONSALE_JAVA_OPTS_SHOWN="${ONSALE_JAVA_OPTS:--Xmx512m}"
RESULTS="${RESULTS:-$HERE/results/$STAMP}"
KEEP="${KEEP:-0}"
SERVER_CPUS="${SERVER_CPUS:-}"
BENCH_CPUS="${BENCH_CPUS:-}"
if { [ -n "$SERVER_CPUS" ] && [ -z "$BENCH_CPUS" ]; } || { [ -z "$SERVER_CPUS" ] && [ -n "$BENCH_CPUS" ]; }; then
  echo "SERVER_CPUS and BENCH_CPUS go together: set both or neither" >&2
  exit 2
fi
ID="$(date +%s)_$$"
DB="onsale_bench_$ID"
# Each full sale and the memory run get a database of their own: the hundreds of thousands of
# tickets and holds the reserve-only runs leave behind would slow the availability refresh, and
# the sales compared side by side start alike.
SALE_DB="onsale_bench_sale_$ID"
SALE_FREE_DB="onsale_bench_salefree_$ID"
SALE_WAIT_DB="onsale_bench_salewait_$ID"
SALE_MIX_DB="onsale_bench_salemix_$ID"
MEMORY_DB="onsale_bench_memory_$ID"
CROWD_DB_PREFIX="onsale_bench_crowd_$ID"
ORDER_DB="onsale_bench_order_$ID"
ORDER_FREE_DB="onsale_bench_orderfree_$ID"
CURRENT_DB="$DB"
ADMIN_TOKEN="bench-admin-token-$ID"
mkdir -p "$RESULTS"
{
  echo "ONSALE_PAYMENT_SESSIONS_PER_SECOND=$PAYMENT_SESSIONS_PER_SECOND"
  echo "ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS=$MAX_PENDING_PER_ADDRESS"
  echo "SALE_BUYERS=$SALE_BUYERS SALE_TICKETS=$SALE_TICKETS"
  echo "SALE_PAY_ARGS=$SALE_PAY_ARGS"
  echo "SALE_MIX_ARGS=$SALE_MIX_ARGS"
  echo "SALE_FRONT=$SALE_FRONT"
  echo "SALE_MAX_ACTIVE=$SALE_MAX_ACTIVE"
  echo "SERVER_CPUS=${SERVER_CPUS:-all} BENCH_CPUS=${BENCH_CPUS:-all}"
} > "$RESULTS/settings.txt"

has() { [[ " $STEPS " == *" $1 "* ]]; }

if [ ! -f "$ROOT/app/target/onsale.jar" ] || [ ! -f "$ROOT/bench/target/onsale-bench.jar" ]; then
  (cd "$ROOT" && ./mvnw -B -q -pl app,bench -am package -DskipTests)
fi

# Runs a command on the cores given first (every core when none are), in the foreground only: sent
# to the background, a function runs in a subshell whose pid $! is, and a kill of it leaves the
# command running. Background processes put taskset in front themselves, as Onsale's start does.
on_cpus() {
  local cpus="$1"
  shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}
# Moves PostgreSQL's and Redis's processes, threads and all, onto these cores; new PostgreSQL
# backends inherit the postmaster's.
pin_services() {
  local pid
  for pid in $(pgrep -x postgres) $(pgrep -x redis-server); do
    taskset -a -p -c "$1" "$pid" >/dev/null 2>&1 || true
  done
}
if [ -n "$SERVER_CPUS" ]; then
  pin_services "$SERVER_CPUS"
fi

SINK_PID=""
SMTP_PORT=""
ONSALE_PID=""
stop_onsale() {
  if [ -n "$ONSALE_PID" ]; then
    kill "$ONSALE_PID" 2>/dev/null || true
    wait "$ONSALE_PID" 2>/dev/null || true
    ONSALE_PID=""
  fi
}
NGINX_PID=""
stop_front() {
  if [ -n "$NGINX_PID" ]; then
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    NGINX_PID=""
  fi
}
# docker/nginx/nginx.conf in front of the running Onsale, as NginxProxyTest runs it (only the
# listen address, the upstream and the paths differ), less what would measure the bench instead of
# the server: the per-address limits (every simulated buyer comes from 127.0.0.1) and the access log.
start_front() {
  stop_front
  local dir="$RESULTS/nginx" port
  port=$(free_port)
  rm -rf "$dir" && mkdir -p "$dir/cache"
  sed -e "s|listen 80 default_server;|listen 127.0.0.1:$port default_server;|" \
      -e "s|/var/cache/nginx/onsale|$dir/cache|" \
      -e "s|pid /tmp/nginx.pid;|pid $dir/nginx.pid;|" \
      -e "s|/usr/share/nginx/html/onsale|$ROOT/docker/nginx/html|" \
      -e "s|access_log /dev/stdout;|access_log off;|" \
      -e "/^ *limit_req zone=/d" -e "/^ *limit_conn onsale_conn/d" \
      "$ROOT/docker/nginx/nginx.conf" > "$dir/nginx.conf"
  printf 'upstream onsale {\n  server 127.0.0.1:%s;\n  keepalive 64;\n}\n' "$PORT" > "$dir/onsale-upstreams.conf"
  cp /etc/nginx/mime.types "$dir/mime.types"
  chmod 755 "$dir" "$dir/cache"
  ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;" >> "$dir/nginx.log" 2>&1 &
  NGINX_PID=$!
  for _ in $(seq 1 50); do
    if [ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nginx-health" 2>/dev/null)" = "200" ]; then
      FRONT_URL="http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.2
  done
  echo "nginx did not start; see $dir/nginx.log" >&2
  exit 1
}
cleanup() {
  stop_front
  stop_onsale
  if [ -n "$SERVER_CPUS" ]; then
    pin_services "0-$(( $(nproc --all) - 1 ))"
  fi
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
  if [ "$KEEP" != "1" ]; then
    for db in "$DB" "$SALE_DB" "$SALE_FREE_DB" "$SALE_WAIT_DB" "$SALE_MIX_DB" "$MEMORY_DB" "$ORDER_DB" "$ORDER_FREE_DB" \
        $(psql -At "$PG_BASE/postgres" -c "SELECT datname FROM pg_database WHERE datname LIKE '${CROWD_DB_PREFIX}%'" 2>/dev/null); do
      psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    redis-cli --scan --pattern "bench:$ID:*" | xargs -r -n 500 redis-cli DEL >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

start_onsale() {
  stop_onsale
  PORT=$(free_port)
  BASE_URL="http://127.0.0.1:$PORT"
  # A Redis prefix per database: event ids start at 1 in each, and the sale's event must not meet
  # the queue counters a wrk run left under the same id (hundreds of thousands of stale numbers).
  PREFIX="bench:$ID:$CURRENT_DB:"
  echo "== starting Onsale on $BASE_URL (database $CURRENT_DB, Redis prefix $PREFIX, payment sessions $PAYMENT_SESSIONS_PER_SECOND/s) $*" >&2
  env ONSALE_HTTP_PORT=$PORT \
    ONSALE_PG_URL="$PG_BASE/$CURRENT_DB" \
    ONSALE_REDIS_PREFIX="$PREFIX" \
    ONSALE_ADMIN_TOKEN="$ADMIN_TOKEN" \
    ONSALE_TOKEN_SECRET="bench-token-secret-$ID-0123456789abcdef" \
    ONSALE_MEDIA_DIR="$RESULTS/media" \
    ONSALE_SMTP_PORT="${SMTP_PORT:-2525}" \
    ONSALE_JOIN_RATE_PER_MINUTE="${ONSALE_JOIN_RATE_PER_MINUTE:-100000000}" \
    ONSALE_PAYMENT_SESSIONS_PER_SECOND="$PAYMENT_SESSIONS_PER_SECOND" \
    ONSALE_MAX_PENDING_TICKETS_PER_ADDRESS="$MAX_PENDING_PER_ADDRESS" \
    "$@" \
    ${SERVER_CPUS:+taskset -c "$SERVER_CPUS"} java ${ONSALE_JAVA_OPTS:--Xmx512m} -jar "$ROOT/app/target/onsale.jar" serve >> "$RESULTS/onsale.log" 2>&1 &
  ONSALE_PID=$!
  for _ in $(seq 1 120); do
    # Any HTTP answer means the server is up (the health endpoints arrive with the ops module).
    if [ "$(curl -sS -o /dev/null -w '%{http_code}' "$BASE_URL/health/live" 2>/dev/null)" != "000" ]; then
      return 0
    fi
    kill -0 "$ONSALE_PID" 2>/dev/null || { echo "Onsale did not start; see $RESULTS/onsale.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "Onsale did not answer within a minute; see $RESULTS/onsale.log" >&2
  exit 1
}

bench() {
  on_cpus "$BENCH_CPUS" java -jar "$ROOT/bench/target/onsale-bench.jar" --base-url "$BASE_URL" --admin-token "$ADMIN_TOKEN" "$@"
}

json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

if has pgbench; then
  echo "== pgbench: the claim statement" >&2
  OUT="$RESULTS/pgbench.tsv" DURATION="$DURATION" PG_BASE="$PG_BASE" "$HERE/pgbench-claim.sh" >/dev/null
fi
if has redis; then
  echo "== redis-benchmark: the waiting room's commands" >&2
  OUT="$RESULTS/redis.tsv" "$HERE/redis-baseline.sh" >/dev/null
fi
if has wrk || has reserve || has reserve-plain; then
  start_onsale
fi
if has wrk; then
  echo "== wrk: trivial endpoint, queue status, join" >&2
  OUT="$RESULTS/wrk.tsv" BASE_URL="$BASE_URL" ADMIN_TOKEN="$ADMIN_TOKEN" DURATION="$DURATION" "$HERE/wrk-baseline.sh" >/dev/null
fi
reserve_run() {
  local name="$1" concurrency="$2"
  echo "== onsale-bench reserve-only ($name, $concurrency in flight): the HTTP reservation endpoint" >&2
  bench --mode reserve-only --tickets "$RESERVE_TICKETS" --categories 2 --duration "$RESERVE_SECONDS" \
    --concurrency "$concurrency" --connections "$concurrency" --warmup "${RESERVE_WARMUP:-5}" --label "$name-c$concurrency" \
    --out "$RESULTS/$name-c$concurrency" | tee "$RESULTS/$name-c$concurrency.txt" || true
}
if has reserve; then
  for c in $RESERVE_CONCURRENCY; do reserve_run reserve-only "$c"; done
fi
if has reserve-plain; then
  # The same endpoint without coalescing: one claim transaction per buyer.
  start_onsale ONSALE_RESERVATION_BATCH_SIZE=1
  for c in $RESERVE_CONCURRENCY; do reserve_run reserve-plain "$c"; done
fi
if has order-free || has order || has sale-free || has sale-wait || has sale || has sale-mix || has memory; then
  # An SMTP sink that counts the confirmation mails (all runs together: each sale waits for its own;
  # free orders in the order runs send mails too, which must not fail and retry meanwhile).
  SMTP_PORT=$(free_port)
  ${BENCH_CPUS:+taskset -c "$BENCH_CPUS"} python3 "$HERE/smtp-sink.py" "$SMTP_PORT" "$RESULTS/mails.count" &
  SINK_PID=$!
fi
# The order endpoint alone, on a fresh database and a restarted Onsale: order_run <name> <database> [bench args].
order_run() {
  local name="$1" db="$2"
  shift 2
  CURRENT_DB="$db"
  start_onsale
  echo "== onsale-bench order-only ($name, $ORDER_CONCURRENCY in flight): the HTTP order endpoint $*" >&2
  bench --mode order-only --tickets "$ORDER_TICKETS" --categories 2 --duration "$ORDER_SECONDS" \
    --concurrency "$ORDER_CONCURRENCY" --connections "$ORDER_CONCURRENCY" --warmup "${RESERVE_WARMUP:-5}" \
    --label "$name" --out "$RESULTS/$name" "$@" | tee "$RESULTS/$name.txt" || true
}
if has order-free; then
  order_run order-free "$ORDER_FREE_DB" --free
fi
if has order; then
  order_run order "$ORDER_DB"
fi
# CPU seconds used so far by Onsale, PostgreSQL (every postgres process), Redis, nginx and the whole
# machine, from /proc: where a sale's time went. A backend that exited takes its seconds with it,
# so it is read while Onsale still holds its connections.
cpu_seconds() {
  python3 - "$ONSALE_PID" <<'PY'
import os, sys
tick = os.sysconf('SC_CLK_TCK')
def cpu(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick
    except OSError:
        return 0.0
def comm(pid):
    try:
        with open(f'/proc/{pid}/comm') as f:
            return f.read().strip()
    except OSError:
        return ''
groups = {'postgres': 0.0, 'redis': 0.0, 'nginx': 0.0}
for pid in filter(str.isdigit, os.listdir('/proc')):
    name = comm(pid)
    for group in groups:
        if name.startswith(group):
            groups[group] += cpu(pid)
with open('/proc/stat') as f:
    total = sum(int(x) for i, x in enumerate(f.readline().split()[1:]) if i not in (3, 4)) / tick
print(cpu(sys.argv[1]), groups['postgres'], groups['redis'], groups['nginx'], total)
PY
}
# One full on-sale on a fresh database and a restarted Onsale: sale_run <name> <database> [bench args].
sale_run() {
  local name="$1" db="$2"
  shift 2
  CURRENT_DB="$db"
  start_onsale
  local url="$BASE_URL"
  if [ "$SALE_FRONT" = "nginx" ]; then
    start_front
    url="$FRONT_URL"
  fi
  echo "== onsale-bench: a full on-sale ($name) through $SALE_FRONT ($url) $*" >&2
  local before cpu_before
  before=$(cat "$RESULTS/mails.count" 2>/dev/null || echo 0)
  cpu_before=$(cpu_seconds)
  # RUN_BUYERS, RUN_TICKETS, RUN_RATE and RUN_MAX_ACTIVE let one step (sale-wait) run another sale than the others.
  BASE_URL="$url" bench --buyers "${RUN_BUYERS:-$SALE_BUYERS}" --tickets "${RUN_TICKETS:-$SALE_TICKETS}" --categories 2 \
    --rate "${RUN_RATE:-1000000}" --max-active "${RUN_MAX_ACTIVE:-$SALE_MAX_ACTIVE}" \
    --poll-min-ms 500 --poll-max-ms 2000 --await-pdfs 180 --label "$name" --out "$RESULTS/$name" "$@" ${SALE_ARGS:-} \
    | tee "$RESULTS/$name.txt" || true
  # Onsale, PostgreSQL, Redis, nginx, the whole machine; the rest of the machine is mostly the bench.
  echo "$cpu_before $(cpu_seconds)" | awk '{ printf "CPU seconds during the run: Onsale %.1f, PostgreSQL %.1f, Redis %.1f, nginx %.1f, whole machine %.1f\n", $6 - $1, $7 - $2, $8 - $3, $9 - $4, $10 - $5 }' \
    | tee "$RESULTS/$name-cpu.txt"
  [ -f "$RESULTS/$name.json" ] || return 0
  # The PDFs are done (--await-pdfs); now the mails, which follow them: up to two more minutes. A
  # mail goes to every paid order, and to every late payment that was refunded.
  local expected t0 t1 mails
  expected=$(json "$RESULTS/$name.json" "d['orders']['byStatus'].get('paid', 0) + d['payments']['late'].get('late_refunded', 0)")
  t0=$(date +%s.%N)
  for _ in $(seq 1 240); do
    [ "$(cat "$RESULTS/mails.count" 2>/dev/null || echo 0)" -ge $((before + expected)) ] && break
    sleep 0.5
  done
  t1=$(date +%s.%N)
  mails=$(( $(cat "$RESULTS/mails.count" 2>/dev/null || echo 0) - before ))
  awk -v m="$mails" -v o="$expected" -v a="$t0" -v b="$t1" \
    'BEGIN { printf "%d of %d confirmation mails received, the last %.1f s after all PDFs were ready\n", m, o, b - a }' \
    | tee "$RESULTS/$name-mails.txt"
  stop_front
}
if has sale-free; then
  sale_run sale-free "$SALE_FREE_DB" --free
fi
if has sale-wait; then
  RUN_BUYERS="${SALE_WAIT_BUYERS:-2000}" RUN_TICKETS="${SALE_WAIT_TICKETS:-600}" RUN_RATE="${SALE_WAIT_RATE:-600}" \
    RUN_MAX_ACTIVE="${SALE_WAIT_MAX_ACTIVE:-${SALE_WAIT_TICKETS:-600}}" \
    sale_run sale-wait "$SALE_WAIT_DB" --free --sale-delay 20
fi
if has sale; then
  # shellcheck disable=SC2086
  sale_run sale "$SALE_DB" $SALE_PAY_ARGS
fi
if has sale-mix; then
  # shellcheck disable=SC2086
  sale_run sale-mix "$SALE_MIX_DB" $SALE_MIX_ARGS
fi
if has memory; then
  CURRENT_DB="$MEMORY_DB"
  start_onsale
fi
if has memory; then
  # 100,000 buyers join an event whose sale starts in an hour, into an Onsale limited to 512 MB of
  # heap (ONSALE_JAVA_OPTS); then the heap in use after a full GC.
  echo "== onsale-bench join-only: $MEMORY_BUYERS buyers in the queue" >&2
  jcmd "$ONSALE_PID" GC.run >/dev/null
  jcmd "$ONSALE_PID" GC.heap_info > "$RESULTS/memory-heap-before.txt"
  redis-cli INFO memory | awk -F: '/^used_memory:/ {print $2+0}' > "$RESULTS/memory-redis-before.txt"
  bench --mode join-only --buyers "$MEMORY_BUYERS" --tickets 1000 --sale-delay 3600 --connections 64 \
    --label memory --out "$RESULTS/memory" | tee "$RESULTS/memory.txt" || true
  if kill -0 "$ONSALE_PID" 2>/dev/null; then
    jcmd "$ONSALE_PID" GC.run >/dev/null
    jcmd "$ONSALE_PID" GC.heap_info > "$RESULTS/memory-heap.txt"
    ps -o rss= -p "$ONSALE_PID" > "$RESULTS/memory-rss.txt"
    redis-cli INFO memory | awk -F: '/^used_memory:/ {print $2+0}' > "$RESULTS/memory-redis-after.txt"
  else
    echo "Onsale died during the memory run; see $RESULTS/onsale.log" | tee "$RESULTS/memory-heap.txt" >&2
  fi
fi
# One crowd: crowd_run <buyers> <front: nginx or direct>.
crowd_run() {
  local size="$1" front="$2" name="crowd-$1-$2"
  CURRENT_DB="${CROWD_DB_PREFIX}_${size}_$front"
  start_onsale
  local url="$BASE_URL"
  if [ "$front" = "nginx" ]; then
    start_front
    url="$FRONT_URL"
  fi
  local redis_before
  redis_before=$(redis-cli INFO memory | awk -F: '/^used_memory:/ {print $2+0}')
  echo "== onsale-bench crowd: $size waiting buyers through $front ($url)" >&2
  on_cpus "$BENCH_CPUS" java -jar "$ROOT/bench/target/onsale-bench.jar" --base-url "$url" --admin-token "$ADMIN_TOKEN" \
    --mode crowd --buyers "$size" --tickets 100000 --rate "$CROWD_RATE" --max-active 100000 \
    --sale-delay "$CROWD_SALE_DELAY" --warmup "$CROWD_WARMUP" --duration "$CROWD_SECONDS" --concurrency 256 \
    --origin-url "$BASE_URL" --origin-pid "$ONSALE_PID" --label "$name" --out "$RESULTS/$name" -q \
    | tee "$RESULTS/$name.txt" || true
  if kill -0 "$ONSALE_PID" 2>/dev/null; then
    jcmd "$ONSALE_PID" GC.run >/dev/null
    jcmd "$ONSALE_PID" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9' > "$RESULTS/$name-heap-kb.txt"
    ps -o rss= -p "$ONSALE_PID" | tr -dc '0-9' > "$RESULTS/$name-rss-kb.txt"
  fi
  echo $(( $(redis-cli INFO memory | awk -F: '/^used_memory:/ {print $2+0}') - redis_before )) > "$RESULTS/$name-redis-bytes.txt"
  stop_front
}
if has crowd; then
  for size in $CROWD_SIZES; do
    for front in $CROWD_FRONTS; do crowd_run "$size" "$front"; done
  done
fi
stop_onsale

echo
echo "== ratios (results in $RESULTS)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
if [ -f "$RESULTS/pgbench.tsv" ]; then
  best_claim=$(awk -F'\t' '$1 == "claim" && $4 > m {m = $4; c = $2} END {print m "\t" c}' "$RESULTS/pgbench.tsv")
  best=${best_claim%%$'\t'*}
  echo "pgbench claim statement, best: $best buyers/s at ${best_claim#*$'\t'} clients"
  for f in "$RESULTS"/reserve-*.json; do
    [ -f "$f" ] || continue
    line=$(json "$f" "'%s %s/s p50 %s ms p99 %s ms, integrity %s' % (d['label'], d['throughputPerSecond'].get('reserve', 0), d['latencyMs'].get('reserve', {}).get('p50'), d['latencyMs'].get('reserve', {}).get('p99'), d['integrity']['passed'])")
    http=$(json "$f" "d['throughputPerSecond'].get('reserve', 0)")
    echo "reservations: $line = $(ratio "$http" "$best") of pgbench (target >= 70%; > 100% with coalescing; p99 < 50 ms)"
  done
fi
if [ -f "$RESULTS/wrk.tsv" ]; then
  live=$(awk -F'\t' '$1 == "live" {print $2}' "$RESULTS/wrk.tsv")
  status=$(awk -F'\t' '$1 == "status" {print $2}' "$RESULTS/wrk.tsv")
  join=$(awk -F'\t' '$1 == "join" {print $2}' "$RESULTS/wrk.tsv")
  [ -n "$status" ] && echo "queue status: $status/s vs trivial endpoint $live/s: $(ratio "$status" "$live") (target >= 50%)"
  if [ -n "$join" ] && [ -f "$RESULTS/redis.tsv" ]; then
    incr=$(awk -F'\t' '$1 == "INCR" {print $2}' "$RESULTS/redis.tsv")
    echo "joins: $join/s vs redis-benchmark INCR $incr/s: $(ratio "$join" "$incr") (target >= 50%)"
  fi
fi
sale_line() {
  json "$1" "'%d buyers, %d tickets sold in %d paid orders (orders by status %s), sold out after %s s (last order paid; target < 60 s), order endpoint %s/s p50 %s ms p99 %s ms%s, PDFs %s, integrity %s' % (d['settings']['buyers'], d['stats'].get('sold', 0), d['orders']['byStatus'].get('paid', 0), d['orders']['byStatus'], d['timeToSellOutSeconds'] if d['timeToSellOutSeconds'] is not None else 'NOT SOLD OUT, last paid %s' % d['lastTicketSoldSeconds'], d['throughputPerSecond'].get('order', 0), d['latencyMs'].get('order', {}).get('p50'), d['latencyMs'].get('order', {}).get('p99'), (', pay step %s/s p50 %s ms p99 %s ms, pay page results %s' % (d['throughputPerSecond'].get('pay', 0), d['latencyMs']['pay']['p50'], d['latencyMs']['pay']['p99'], d['payments']['results'])) if 'pay' in d['latencyMs'] else '', (d['pdfs'] or {}).get('allReady'), d['integrity']['passed'])"
}
for name in order-free order; do
  [ -f "$RESULTS/$name.json" ] || continue
  case "$name" in
    order-free) what="free event, orders paid when placed" ;;
    order) what="priced event, orders pending with a payment" ;;
  esac
  echo "order endpoint ($what, $ORDER_CONCURRENCY in flight): $(json "$RESULTS/$name.json" "'%s/s p50 %s ms p99 %s ms p99.9 %s ms (reserve %s/s), %d orders, errors %s, integrity %s' % (d['throughputPerSecond'].get('order', 0), d['latencyMs'].get('order', {}).get('p50'), d['latencyMs'].get('order', {}).get('p99'), d['latencyMs'].get('order', {}).get('p999'), d['throughputPerSecond'].get('reserve', 0), d['buyers']['ordered'], d['errors'], d['integrity']['passed'])")"
done
for name in sale-free sale sale-mix; do
  [ -f "$RESULTS/$name.json" ] || continue
  case "$name" in
    sale-free) what="without payment (free event)" ;;
    sale) what="with payment ($SALE_PAY_ARGS)" ;;
    sale-mix) what="with payment ($SALE_MIX_ARGS)" ;;
  esac
  echo "full sale $what: $(sale_line "$RESULTS/$name.json")"
  [ -f "$RESULTS/$name-mails.txt" ] && echo "  mails: $(cat "$RESULTS/$name-mails.txt")"
  [ -f "$RESULTS/$name-cpu.txt" ] && echo "  $(cat "$RESULTS/$name-cpu.txt")"
done
if [ -f "$RESULTS/sale-wait.json" ]; then
  echo "wait shown vs wait that came ($(json "$RESULTS/sale-wait.json" "'%d buyers, %d tickets' % (d['buyers']['total'], d['event']['capacity'])"), ${SALE_WAIT_RATE:-600}/min): $(json "$RESULTS/sale-wait.json" "'median %s, p90 %s over %d predictions; first in the sale: median %s, p90 %s over %d (goal: median <= 0.2)' % (d['waitEstimate']['medianRelativeError'], d['waitEstimate']['p90RelativeError'], d['waitEstimate']['counted'], d['waitEstimate']['firstInSaleMedianRelativeError'], d['waitEstimate']['firstInSaleP90RelativeError'], d['waitEstimate']['firstInSaleCounted'])")"
fi
if [ -f "$RESULTS/sale-free.json" ]; then
  free_s=$(json "$RESULTS/sale-free.json" "d['timeToSellOutSeconds'] or 0")
  for name in sale sale-mix; do
    [ -f "$RESULTS/$name.json" ] || continue
    paid_s=$(json "$RESULTS/$name.json" "d['timeToSellOutSeconds'] or 0")
    echo "sold out with payment ($name) vs without: $paid_s s vs $free_s s = $(ratio "$paid_s" "$free_s") (goal <= 120%; 0 = not sold out; payment sessions limit $PAYMENT_SESSIONS_PER_SECOND/s)"
  done
fi
crowd_line() {
  json "$1" "'origin %s requests/s, %s cores; the crowd sent %s state and %s status requests/s; %s waiting at the window start, %s admitted in %s s' % (d['crowd'].get('originRequestsPerSecond'), d['crowd'].get('originCpuCores'), d['crowd']['stateRequestsPerSecond'], d['crowd']['statusRequestsPerSecond'], d['crowd']['waitingAtStart'], d['crowd']['admittedInWindow'], d['crowd']['windowSeconds'])"
}
if has crowd; then
  for front in $CROWD_FRONTS; do
    first=""
    for size in $CROWD_SIZES; do
      f="$RESULTS/crowd-$size-$front.json"
      [ -f "$f" ] || continue
      echo "crowd of $size through $front: $(crowd_line "$f"); heap after GC $(cat "$RESULTS/crowd-$size-$front-heap-kb.txt" 2>/dev/null) KB, RSS $(cat "$RESULTS/crowd-$size-$front-rss-kb.txt" 2>/dev/null) KB, Redis +$(cat "$RESULTS/crowd-$size-$front-redis-bytes.txt") bytes, integrity $(json "$f" "d['integrity']['passed']")"
      if [ -z "$first" ]; then
        first="$size"
      else
        for what in originRequestsPerSecond originCpuCores; do
          a=$(json "$f" "d['crowd'].get('$what', 0)")
          b=$(json "$RESULTS/crowd-$first-$front.json" "d['crowd'].get('$what', 0)")
          echo "  $what, $size vs $first through $front: $(ratio "$a" "$b") (goal <= 120%)"
        done
      fi
    done
  done
fi
if [ -f "$RESULTS/memory-heap.txt" ]; then
  echo "memory: $(json "$RESULTS/memory.json" "'%d buyers joined at %s/s (p99 %s ms), integrity %s' % (d['buyers']['joined'], d['throughputPerSecond'].get('join', 0), d['latencyMs'].get('join', {}).get('p99'), d['integrity']['passed'])") into a $ONSALE_JAVA_OPTS_SHOWN heap; after a full GC: $(grep -o 'used [0-9]*K' "$RESULTS/memory-heap.txt" | head -1) (before the joins: $(grep -o 'used [0-9]*K' "$RESULTS/memory-heap-before.txt" | head -1); target < 512 MB); Redis used_memory $(cat "$RESULTS/memory-redis-before.txt") -> $(cat "$RESULTS/memory-redis-after.txt" 2>/dev/null) bytes (the whole server)"
  if [ -f "$RESULTS/redis.tsv" ]; then
    incr=$(awk -F'\t' '$1 == "INCR" {print $2}' "$RESULTS/redis.tsv")
    joins=$(json "$RESULTS/memory.json" "d['throughputPerSecond'].get('join', 0)")
    echo "  joins through the bench: $joins/s vs redis-benchmark INCR $incr/s: $(ratio "$joins" "$incr")"
  fi
fi
