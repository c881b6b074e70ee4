#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on their standard local ports, starting the local
# installations when they are installed but stopped. Says what to do when they are missing.
set -u

pg_host=127.0.0.1
pg_port=5432
redis_port=6379

pg_up() { pg_isready -q -h "$pg_host" -p "$pg_port" 2>/dev/null || (exec 3<>/dev/tcp/$pg_host/$pg_port) 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p $redis_port ping 2>/dev/null)" = "PONG" ]; }

wait_for() { # name check
  for _ in $(seq 1 30); do
    if "$2"; then return 0; fi
    sleep 1
  done
  return 1
}

if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
    echo "PostgreSQL is not answering; starting cluster ${version:-15}/main" >&2
    pg_ctlcluster --skip-systemctl-redirect "${version:-15}" main start >&2 || true
  fi
  if ! wait_for PostgreSQL pg_up; then
    echo "PostgreSQL is not reachable on $pg_host:$pg_port." >&2
    echo "Install it (Debian: apt-get install postgresql) or point ONSALE_PG_URL at a server." >&2
    exit 1
  fi
fi

if ! redis_up; then
  if command -v redis-server >/dev/null 2>&1; then
    echo "Redis is not answering; starting redis-server on 127.0.0.1:$redis_port" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >&2 || true
  fi
  if ! wait_for Redis redis_up; then
    echo "Redis is not reachable on 127.0.0.1:$redis_port." >&2
    echo "Install it (Debian: apt-get install redis-server) or point ONSALE_REDIS_URL at a server." >&2
    exit 1
  fi
fi
echo "PostgreSQL and Redis are up." >&2
