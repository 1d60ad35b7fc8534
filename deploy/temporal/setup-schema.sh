#!/bin/sh
# One-shot (docker-compose service temporal-schema, image temporalio/admin-tools): creates the
# Temporal persistence and visibility databases in PostgreSQL and brings their schemas to the
# version this admin-tools image ships. Idempotent, so it runs on every `docker compose up`:
# a database whose schema already exists is only updated.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}" # read by temporal-sql-tool itself
DB_PORT="${DB_PORT:-5432}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" -p "$DB_PORT" "$@"
}

attempt=1
until nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT"; do
  [ "$attempt" -ge 30 ] && { echo "postgresql did not open port $DB_PORT" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 2
done

setup() { # setup DATABASE SCHEMA_DIR
  if sql_tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned" >/dev/null 2>&1; then
    echo "$1: schema present, updated to the latest version"
    return 0
  fi
  sql_tool --db "$1" create 2>/dev/null || echo "$1: database exists"
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned"
  echo "$1: schema created"
}

setup temporal temporal
setup temporal_visibility visibility
