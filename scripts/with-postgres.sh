#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server:
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a new cluster in a temporary folder, listening on 127.0.0.1 only (and a Unix socket inside
# that folder) on a free port, creates the database wellbeing_hub, exports
# DATABASE_URL=postgresql://postgres@127.0.0.1:PORT/wellbeing_hub, runs CMD, then stops the server
# and deletes the folder, whether CMD passed, failed or was interrupted. Exits with CMD's status.
#
# Uses Debian's postgresql package (binaries under /usr/lib/postgresql/<version>/bin, the newest
# version found). The server refuses to run as root, so as root the cluster belongs to the
# `postgres` user (runuser); otherwise it runs as you. Authentication is `trust`, which is safe only
# because the server listens on loopback and lives for one command.
#
# Environment: PG_BIN (a folder with initdb/pg_ctl) overrides the search; PG_PORT chooses the port;
# PG_KEEP_LOG=1 prints the server log at the end; PG_DURABLE=1 keeps PostgreSQL's durable defaults
# (fsync, synchronous_commit, full_page_writes on); PG_OPTIONS adds server options ("-c name=value").
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]   (runs CMD with DATABASE_URL pointing at a throwaway PostgreSQL)" >&2
  exit 64
fi

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return 0; fi
  local best="" best_version=0 dir version
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] || continue
    version=$(basename "$(dirname "$dir")")
    version=${version%%.*}
    if [[ "$version" =~ ^[0-9]+$ ]] && [ "$version" -gt "$best_version" ]; then
      best=$dir best_version=$version
    fi
  done
  if [ -z "$best" ] && command -v pg_ctl >/dev/null 2>&1; then
    best=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
  fi
  [ -n "$best" ] && echo "$best"
}

BIN=$(find_bin) || true
if [ -z "${BIN:-}" ] || [ ! -x "$BIN/initdb" ]; then
  cat >&2 <<'MSG'
PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/pg_ctl was found).
Install Debian's packages, as root:   apt-get install postgresql postgresql-contrib
(`make test` does this for you through scripts/install-system-deps.sh.)
MSG
  exit 69
fi

free_port() {
  python3 - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}
PORT=${PG_PORT:-$(free_port)}

if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "Running as root, but there is no 'postgres' user to own the server." >&2
    exit 69
  fi
  as_pg() { runuser -u postgres -- "$@"; }
  DIR=$(mktemp -d /tmp/wellbeing-pg.XXXXXX)
  chown postgres: "$DIR"
else
  as_pg() { "$@"; }
  DIR=$(mktemp -d "${TMPDIR:-/tmp}/wellbeing-pg.XXXXXX")
fi
chmod 700 "$DIR"
DATA="$DIR/data"
LOG="$DIR/server.log"

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 2>&1 \
      || as_pg "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  if [ "${PG_KEEP_LOG:-0}" = 1 ] && [ -f "$LOG" ]; then cat "$LOG" >&2; fi
  rm -rf "$DIR"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

as_pg "$BIN/initdb" -D "$DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; echo "initdb failed" >&2; exit 70; }
# A throwaway server: no fsync or synchronous commit (the data dies with it anyway), unless
# PG_DURABLE=1 (benchmarks: every commit is flushed to disk before it is answered, as in production).
OPTIONS="-k $DIR -p $PORT -c listen_addresses=127.0.0.1"
if [ "${PG_DURABLE:-0}" != 1 ]; then
  OPTIONS="$OPTIONS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -o "$OPTIONS ${PG_OPTIONS:-}" start >/dev/null \
  || { cat "$LOG" >&2; echo "PostgreSQL did not start" >&2; exit 70; }
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres wellbeing_hub

export DATABASE_URL="postgresql://postgres@127.0.0.1:$PORT/wellbeing_hub"
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (throwaway, $DIR)" >&2

set +e
"$@"
status=$?
set -e
exit "$status"
