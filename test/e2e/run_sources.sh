#!/usr/bin/env bash
# End-to-end test of the data sources: the source administration API and the
# failure behaviour (a source that is down answers 503 naming it while cubes
# on other sources keep answering).
#
#   test/e2e/run_sources.sh BUILD_DIR
#
# 1. starts a throwaway PostgreSQL (scripts/test-postgres) and MariaDB
#    (scripts/test-mariadb), both seeded with the shop fixture, and builds the
#    shop DuckDB file (BUILD_DIR/duckdb_exec);
# 2. starts strata on 127.0.0.1 (ephemeral port) with test/e2e/sources_model
#    and four data sources: default (DuckDB), warehouse (PostgreSQL, password
#    from ${STRATA_E2E_PG_PASSWORD}), maria (MariaDB) and down (PostgreSQL on
#    a port where nothing listens);
# 3. runs sources.test.mjs with node:test (plain fetch, no packages);
# 4. always stops everything it started, by PID or data folder
#    (test/e2e/e2e_common.sh's helpers, plus the two databases).
# Registered with ctest as e2e_sources (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_sources.sh "${1:-}"

pg_dir=""
maria_dir=""
# The databases are stopped too, then e2e_common's cleanup runs.
sources_cleanup() {
  local status=$?
  [ -n "$pg_dir" ] && { "$root/scripts/test-postgres" stop "$pg_dir" >/dev/null 2>&1 || true; }
  [ -n "$maria_dir" ] && { "$root/scripts/test-mariadb" stop "$maria_dir" >/dev/null 2>&1 || true; }
  (exit "$status")
  e2e_cleanup
}
trap sources_cleanup EXIT

# 1. Databases.
"$root/scripts/test-postgres" start --watch $$ --sql "$root/test/fixtures/shop/seed_postgres.sql" \
  >"$work/pg.env"
# shellcheck disable=SC1091
. "$work/pg.env"
pg_dir=$STRATA_PG_DIR
"$root/scripts/test-mariadb" start --watch $$ --sql "$root/test/fixtures/shop/seed_mariadb.sql" \
  >"$work/maria.env"
# shellcheck disable=SC1091
. "$work/maria.env"
maria_dir=$STRATA_MARIADB_DIR
"$duckdb_exec" "$work/shop.duckdb" "$root/test/fixtures/shop/seed.sql" >"$work/seed.log" 2>&1

# 2. The server. Secrets come from the environment, never from the file.
export STRATA_E2E_PG_PASSWORD=$STRATA_PG_PASSWORD
export STRATA_E2E_MARIA_PASSWORD=$STRATA_MARIADB_PASSWORD
cat >"$work/strata.yml" <<EOF
model: $e2e/sources_model
query_timeout: 20s
data_sources:
  default:
    type: duckdb
    path: $work/shop.duckdb
  warehouse:
    type: postgres
    host: 127.0.0.1
    port: $STRATA_PG_PORT
    database: $STRATA_PG_DATABASE
    user: $STRATA_PG_USER
    password: \${STRATA_E2E_PG_PASSWORD}
    sslmode: disable
    max_connections: 4
  maria:
    type: mariadb
    host: 127.0.0.1
    port: $STRATA_MARIADB_PORT
    database: $STRATA_MARIADB_DATABASE
    user: $STRATA_MARIADB_USER
    password: \${STRATA_E2E_MARIA_PASSWORD}
  down:
    type: postgres
    host: 127.0.0.1
    port: 1
    user: nobody
    connect_timeout: 2s
EOF
secret="e2e-secret-$RANDOM$RANDOM"
e2e_start server --config "$work/strata.yml" --listen 127.0.0.1:0 --api-secret "$secret"
port=$(e2e_port server "$started_pid" 'listening on http://127\.0\.0\.1:')
# /readyz is 503 on purpose (one source is down): wait for /livez.
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && break
  sleep 0.1
done

# 3. Tests.
STRATA_URL="http://127.0.0.1:$port" STRATA_SECRET="$secret" STRATA_PG_PID="$STRATA_PG_PID" \
  timeout 300 node --test --test-reporter=spec "$e2e/sources.test.mjs"

# The database passwords never reach the log.
if grep -q -F "$STRATA_PG_PASSWORD" "$work/server.log"; then
  echo "run_sources.sh: the PostgreSQL password appears in the server log" >&2
  exit 1
fi
