#!/bin/sh
# Entrypoint of the local PostgreSQL image: the part of the docker-library postgres entrypoint the
# chart relies on. On an empty PGDATA it runs initdb with POSTGRES_USER/POSTGRES_PASSWORD, creates
# POSTGRES_DB, and allows password (scram) logins from the network; then it execs postgres.
set -eu
if [ "${1:-}" = "postgres" ]; then
  shift
  : "${PGDATA:?PGDATA must be set}"
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (the chart reads it from a Secret)}"
  user="${POSTGRES_USER:-postgres}"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    pwfile="$(mktemp)"
    printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8
    rm -f "$pwfile"
    printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
    db="${POSTGRES_DB:-$user}"
    if [ "$db" != "postgres" ]; then
      pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /var/run/postgresql" -w start
      psql -v ON_ERROR_STOP=1 -h /var/run/postgresql -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
      pg_ctl -D "$PGDATA" -m fast -w stop
    fi
  fi
  exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql "$@"
fi
exec "$@"
