#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the tests (Debian's server binaries, run as the
# `postgres` user because initdb refuses root).
# Usage: `source .ci/postgres.sh` sets CORPSMAP_TEST_POSTGRES_URL; `pg_stop` stops the server and deletes it.
PG_PORT="${PG_PORT:-55432}"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
PG_DIR="$(mktemp -d /tmp/corpsmap-pg.XXXXXX)"
chown postgres:postgres "$PG_DIR"
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U corpsmap -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start >/dev/null
export CORPSMAP_TEST_POSTGRES_URL="postgresql+psycopg://corpsmap@127.0.0.1:$PG_PORT/postgres"
pg_stop() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null || true
  rm -rf "$PG_DIR"
}
