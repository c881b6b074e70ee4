#!/usr/bin/env bash
# Installs what the tests drive besides the JDK: headless Chromium and its driver for the page
# tests, nginx to check the nginx config, haproxy as the moving connection point of the PostgreSQL
# failover test, Redis's server and client for the tests that start their own servers (a restart, a
# Cluster, a Sentinel failover: redis-server runs sentinels with --sentinel). Debian packages; needs
# root (CI and our machines are).
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/bin/redis-cli ] || missing+=(redis-tools)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
      || echo "Could not install ${missing[*]}; the tests that need them will be skipped." >&2
  else
    echo "Missing ${missing[*]}: the tests that need them will be skipped (install them as root)." >&2
  fi
fi
exit 0
