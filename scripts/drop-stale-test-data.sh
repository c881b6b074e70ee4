#!/usr/bin/env bash
# Removes what earlier test runs left on the local services: test databases (onsale_test_<id>)
# created over half an hour ago that nobody is connected to, and the Redis keys of test prefixes
# (test:<id>:) whose database is gone. Each test normally drops its own database when its JVM
# exits; a JVM stopped before that leaves one behind. Never touches anything else.
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
echo "Removed $dropped stale test database(s) and $removed stale test Redis key(s)." >&2
