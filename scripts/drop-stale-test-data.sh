#!/usr/bin/env bash
# Removes what earlier test runs left on the local services: test databases (onsale_test_<id>)
# created over half an hour ago that nobody is connected to, and the Redis keys of test prefixes
# (test:<id>:) whose database is gone, and the PostgreSQL clusters of the failover test
# (15/onsale_fo_<id>_a and _b, with the haproxy in front of them) made over half an hour ago. Each
# test normally removes what it made when its JVM exits; a JVM stopped before that leaves it behind.
# Never touches anything else (the cluster 15/main is never stopped or dropped).
set -u
pg() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
command -v psql >/dev/null 2>&1 || exit 0

dropped=0
for db in $(pg -c "SELECT datname FROM pg_database d
                    WHERE datname LIKE 'onsale\_test\_%'
                      AND (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification < now() - interval '30 minutes'
                      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" 2>/dev/null); do
  pg -c "DROP DATABASE IF EXISTS \"$db\"" 2>/dev/null && dropped=$((dropped + 1))
done

removed=0
if command -v redis-cli >/dev/null 2>&1; then
  live=" $(pg -c "SELECT string_agg(substr(datname, 13), ' ') FROM pg_database WHERE datname LIKE 'onsale\_test\_%'" 2>/dev/null) "
  for id in $(redis-cli -h 127.0.0.1 --scan --pattern 'test:*' 2>/dev/null | cut -d: -f2 | sort -u); do
    case "$live" in
      *" $id "*) ;;
      *) n=$(redis-cli -h 127.0.0.1 --scan --pattern "test:$id:*" | xargs -r redis-cli -h 127.0.0.1 unlink | awk '{s+=$1} END {print s+0}')
         removed=$((removed + n)) ;;
    esac
  done
fi
# A failover cluster's config directory is written once, when the cluster is made: its age is the
# cluster's. Its data lives in a temp directory (/tmp/onsale-fo-*) next to haproxy's pid file.
clusters=0
if [ "$(id -u)" = 0 ] && command -v pg_dropcluster >/dev/null 2>&1; then
  for conf in $(find /etc/postgresql -mindepth 2 -maxdepth 2 -type d -name 'onsale_fo_*' -mmin +30 2>/dev/null); do
    version=$(basename "$(dirname "$conf")")
    name=$(basename "$conf")
    data=$(pg_lsclusters -h "$version" "$name" 2>/dev/null | awk '{print $6}')
    dir=$(dirname "${data:-/nonexistent/x}")
    case "$dir" in
      */onsale-fo-*)
        pid=$(cat "$dir/haproxy.pid" 2>/dev/null)
        # Only the haproxy that serves this directory's configuration.
        if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/haproxy.cfg"; then
          kill "$pid" 2>/dev/null
        fi ;;
    esac
    pg_dropcluster --stop "$version" "$name" >/dev/null 2>&1
    rm -rf "$conf" "/var/run/postgresql/$version-$name.pid"
    case "$dir" in */onsale-fo-*) rm -rf "$dir" ;; esac
    clusters=$((clusters + 1))
  done
fi
echo "Removed $dropped stale test database(s), $removed stale test Redis key(s) and $clusters stale failover cluster(s)." >&2
