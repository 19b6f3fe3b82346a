#!/usr/bin/env bash
# A real PostgreSQL 15 server with pgvector 0.8.1 for the tests and benchmarks, on this
# machine, offline. Idempotent: it installs only what is missing, starts only what is not
# running, and stops only the server it started.
#
#   bash scripts/postgres.sh start    # prints the server's URL (postgresql://postgres@127.0.0.1:PORT/postgres)
#   bash scripts/postgres.sh stop
#   bash scripts/postgres.sh check    # exit 0 when the pieces are present or can be installed; else says what is missing
#
# Pieces: Debian's postgresql-15 and postgresql-server-dev-15 (installed with apt-get when
# running as root), pgvector built from vendor/pgvector-0.8.1.tar.gz (the source, unmodified,
# PostgreSQL licence in vendor/pgvector-LICENSE). The cluster lives in $ELITE_PG_DIR
# (default: $TMPDIR/elite-postgres), on its own free port from 54329 up, owned by the
# `postgres` user when run as root (PostgreSQL refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PGBIN=/usr/lib/postgresql/15/bin
DIR=${ELITE_PG_DIR:-${TMPDIR:-/tmp}/elite-postgres}
TARBALL="$REPO/vendor/pgvector-0.8.1.tar.gz"

say() { echo "postgres.sh: $*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
as_owner() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

server_present() { [ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/initdb" ]; }
headers_present() { [ -f "$PGBIN/pg_config" ] && [ -f "$("$PGBIN/pg_config" --includedir-server 2>/dev/null)/postgres.h" ]; }
vector_present() { [ -f "$("$PGBIN/pg_config" --sharedir 2>/dev/null)/extension/vector--0.8.1.sql" ]; }

missing() {
  local m=()
  server_present || m+=("postgresql-15")
  headers_present || vector_present || m+=("postgresql-server-dev-15")
  vector_present || m+=("pgvector 0.8.1 (built from vendor/pgvector-0.8.1.tar.gz)")
  [ -f "$TARBALL" ] || vector_present || m+=("vendor/pgvector-0.8.1.tar.gz")
  printf '%s\n' "${m[@]}"
}

check() {
  local m
  m=$(missing)
  if [ -z "$m" ]; then return 0; fi
  if is_root && command -v apt-get >/dev/null && [ -f "$TARBALL" ]; then return 0; fi
  say "missing: $(echo "$m" | paste -sd ', ')."
  say "as root: apt-get install -y postgresql-15 postgresql-server-dev-15, then run this script again (it builds pgvector)."
  return 1
}

install() {
  if ! server_present || { ! headers_present && ! vector_present; }; then
    is_root || { check; exit 1; }
    say "installing Debian's postgresql-15 and postgresql-server-dev-15…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q postgresql-15 postgresql-server-dev-15 >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q postgresql-15 postgresql-server-dev-15 >/dev/null; }
  fi
  if ! vector_present; then
    is_root || [ -w "$("$PGBIN/pg_config" --sharedir)/extension" ] || { check; exit 1; }
    say "building pgvector 0.8.1 from vendor/…"
    local build
    build=$(mktemp -d)
    tar xzf "$TARBALL" -C "$build"
    make -s -C "$build/pgvector-0.8.1" PG_CONFIG="$PGBIN/pg_config" OPTFLAGS="" >/dev/null
    make -s -C "$build/pgvector-0.8.1" PG_CONFIG="$PGBIN/pg_config" install >/dev/null
    rm -rf "$build"
  fi
}

running() { [ -f "$DIR/port" ] && as_owner "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

free_port() {
  local p=54329
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

url() { echo "postgresql://postgres@127.0.0.1:$(cat "$DIR/port")/postgres"; }

start() {
  if running; then url; return; fi
  install
  mkdir -p "$DIR"
  if is_root; then chown postgres "$DIR"; fi
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    as_owner "$PGBIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --no-locale >/dev/null
  fi
  local port
  port=$(free_port)
  # Test settings: no fsync (a crash of the machine loses the test data, nothing else), room
  # for two app instances' pools plus the suites.
  as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -t 60 \
    -o "-p $port -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || { say "the server did not start; its log:"; tail -20 "$DIR/log" >&2; exit 1; }
  echo "$port" >"$DIR/port"
  "$PGBIN/psql" -qAt -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "create extension if not exists vector; drop extension vector;" >/dev/null
  url
}

stop() {
  if running; then as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null; fi
  rm -f "$DIR/port"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  check) check ;;
  url) running && url ;;
  *) echo "usage: bash scripts/postgres.sh start|stop|check|url" >&2; exit 2 ;;
esac
