#!/usr/bin/env bash
# Lists what tests leave on the local services: test databases (onsale_test_<id>), the Redis
# key prefixes of tests (test:<id>:, fault:<id>:) with their key counts, the failover test's
# PostgreSQL clusters (15/onsale_fo_<id>_a, _b) and its haproxy, one per line.
#   scripts/test-data-left.sh > before.txt       # before a run
#   scripts/test-data-left.sh --since before.txt # after it: prints what the run left, exits 1 if any
set -u
pg() { psql -h 127.0.0.1 -U postgres -d postgres -Atq "$@"; }

list() {
  if command -v psql >/dev/null 2>&1; then
    pg -c "SELECT 'database ' || datname FROM pg_database WHERE datname LIKE 'onsale\_test\_%' ORDER BY 1" 2>/dev/null
  fi
  if command -v redis-cli >/dev/null 2>&1; then
    { redis-cli -h 127.0.0.1 --scan --pattern 'test:*'; redis-cli -h 127.0.0.1 --scan --pattern 'fault:*'; } 2>/dev/null \
      | cut -d: -f1-2 | sort | uniq -c | awk '{print "redis " $2 ":* (" $1 " keys)"}'
  fi
  find /etc/postgresql -mindepth 2 -maxdepth 2 -type d -name 'onsale_fo_*' 2>/dev/null | sort \
    | awk -F/ '{print "cluster " $(NF-1) "/" $NF}'
  pgrep -a haproxy 2>/dev/null | grep -F '/onsale-fo-' | awk '{print "haproxy " $NF " (pid " $1 ")"}'
}

if [ "${1:-}" = "--since" ]; then
  before=$(cut -d' ' -f1-2 "$2" 2>/dev/null)
  left=$(list | while read -r kind name rest; do
    printf '%s\n' "$before" | grep -qxF "$kind $name" || echo "$kind $name $rest"
  done)
  if [ -n "$left" ]; then
    echo "The test run left data or servers behind (each test must remove what it made):" >&2
    printf '%s\n' "$left" >&2
    exit 1
  fi
  echo "The test run left no test databases, no test Redis keys and no failover clusters." >&2
  exit 0
fi
list
