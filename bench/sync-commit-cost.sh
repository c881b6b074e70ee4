#!/usr/bin/env bash
# What synchronous replication costs the order endpoint, on this machine: makes a PostgreSQL 15 primary
# (port 5440) with a synchronous streaming replica (5441) as Debian clusters (root; dropped at the end),
# then runs bench/run-all.sh's order-free step against the primary four times, alternating
# synchronous_standby_names '*' (each commit waits for the replica's flush) and '' (it does not).
# Usage: bench/sync-commit-cost.sh   (ORDER_SECONDS, default 20, per run)
set -euo pipefail
V=15; A=syncbench_a; B=syncbench_b
cleanup() {
  pg_dropcluster --stop $V $B 2>/dev/null || true
  pg_dropcluster --stop $V $A 2>/dev/null || true
}
trap cleanup EXIT
cleanup
pg_createcluster $V $A -p 5440 --start-conf manual -- -A trust >/dev/null
echo "listen_addresses = '127.0.0.1'
max_connections = 100
synchronous_standby_names = '*'" > /etc/postgresql/$V/$A/conf.d/sync.conf
pg_ctlcluster --skip-systemctl-redirect $V $A start
pg_createcluster $V $B -p 5441 --start-conf manual -- -A trust >/dev/null
echo "listen_addresses = '127.0.0.1'
max_connections = 100" > /etc/postgresql/$V/$B/conf.d/sync.conf
find /var/lib/postgresql/$V/$B -mindepth 1 -delete
runuser -u postgres -- /usr/lib/postgresql/$V/bin/pg_basebackup -h 127.0.0.1 -p 5440 -U postgres -D /var/lib/postgresql/$V/$B -R -X stream -c fast
pg_ctlcluster --skip-systemctl-redirect $V $B start
for i in $(seq 1 30); do
  s=$(psql -h 127.0.0.1 -p 5440 -U postgres -Atc "SELECT string_agg(sync_state, ',') FROM pg_stat_replication")
  [ "$s" = "sync" ] && break; sleep 1
done
echo "replication: $s"
for names in "'*'" "''" "'*'" "''"; do
  psql -h 127.0.0.1 -p 5440 -U postgres -qc "ALTER SYSTEM SET synchronous_standby_names = $names" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 1
  echo "== synchronous_standby_names = $names; uptime: $(uptime)"
  PG_BASE=postgresql://postgres@127.0.0.1:5440 STEPS="order-free" ORDER_SECONDS="${ORDER_SECONDS:-20}" RESULTS="${RESULTS_BASE:-$(dirname "$0")/results}/sync-$(date +%H%M%S)" \
    bash "$(dirname "$0")/run-all.sh" 2>&1 | grep -E 'order endpoint|orders/s|order-free' | tail -3
done
