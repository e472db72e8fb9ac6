#!/usr/bin/env bash
# End-to-end test of an iceberg data source behind the REST API and the lake
# administration API, with the real @cubejs-client/core.
#
#   test/e2e/run_lake_rest.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (npm ci, once per lock file),
# 2. writes a partitioned table with `strata lake append` (twice: 240 then
#    240 rows of hourly events) into a warehouse folder,
# 3. starts `strata serve` on 127.0.0.1 (ephemeral port) with a model whose
#    cube reads shop.events from an iceberg source (folder catalog), plus one
#    shared fixture table named explicitly,
# 4. runs lake.test.mjs with node:test: /load (plain, filtered, asOf) and
#    the /api/v1/lake endpoints,
# 5. always stops the server by its PID and removes the scratch folder.
# Registered with ctest as e2e_lake_rest (label e2e).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
e2e="$root/test/e2e"
build=$(cd "${1:?usage: run_lake_rest.sh BUILD_DIR}" && pwd)
strata="$build/src/strata"
if [ ! -x "$strata" ]; then
  echo "run_lake_rest.sh: $strata is missing; build first (make build BUILD_DIR=...)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e-lake-rest.XXXXXX")
pid=""
cleanup() {
  local status=$?
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "---- server.log (last 40 lines) ----" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Node packages.
(
  cd "$e2e"
  flock 9
  stamp="node_modules/.strata-lock-stamp"
  if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    cp package-lock.json "$stamp"
  fi
) 9<"$e2e/package-lock.json"

# 2. The table: hour i of 2024 carries id i, kind i % 4 and amount i.
table="$work/warehouse/shop/events"
rows() { echo "SELECT i AS id, TIMESTAMP '2024-01-01' + to_hours(i) AS ts, (i % 4)::INTEGER AS kind, i::DOUBLE AS amount FROM range($1, $2) r(i)"; }
"$strata" lake append "$table" --create --partition-by 'day(ts)' --sql "$(rows 0 240)" >"$work/append1.txt"
"$strata" lake append "$table" --sql "$(rows 240 480)" >"$work/append2.txt"
first=$(sed -n 's/.*snapshot \([0-9]*\).*/\1/p' "$work/append1.txt")
echo "run_lake_rest.sh: first snapshot $first"

# 3. The server.
mkdir -p "$work/model"
cat >"$work/model/events.yml" <<'YAML'
cubes:
  - name: events
    sql_table: shop.events
    data_source: lake
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: ts, sql: ts, type: time}
      - {name: kind, sql: kind, type: number}
    measures:
      - {name: count, type: count}
      - {name: amount, sql: amount, type: sum}
YAML
cat >"$work/strata.yml" <<YAML
model: ./model
data_sources:
  lake:
    type: iceberg
    warehouse: ./warehouse
    table.fixtures.dangling_deletes: $root/../shared/testdata/iceberg/lithium-iceberg-cxx/dangling_deletes
YAML
secret="e2e-secret-$RANDOM$RANDOM"
sql_password="e2e-sql-$RANDOM$RANDOM"
"$strata" serve --config "$work/strata.yml" --listen 127.0.0.1:0 --api-secret "$secret" \
  --pg-listen 127.0.0.1:0 --sql-user lake --sql-password "$sql_password" \
  >"$work/server.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do
  port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.log" 2>/dev/null |
    head -n 1 | sed 's/.*://') || true
  [ -n "$port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run_lake_rest.sh: the server exited during start-up" >&2
    exit 1
  fi
  sleep 0.1
done
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
# The SQL API starts listening just after the REST API: wait for its port too.
pg_port=""
for _ in $(seq 1 300); do
  pg_port=$(grep -o 'SQL API listening on postgresql://127\.0\.0\.1:[0-9]*' "$work/server.log" \
    2>/dev/null | head -n 1 | sed 's/.*://') || true
  [ -n "$pg_port" ] && break
  sleep 0.1
done
if [ -z "$pg_port" ]; then
  echo "run_lake_rest.sh: the SQL API did not report its port" >&2
  exit 1
fi

# 4. Tests.
STRATA_URL="http://127.0.0.1:$port" \
  STRATA_TOKEN="$("$strata" token --api-secret "$secret")" \
  STRATA_FIRST_SNAPSHOT="$first" \
  STRATA_PG_PORT="$pg_port" STRATA_PG_PASSWORD="$sql_password" \
  timeout 300 node --test --test-reporter=spec "$e2e/lake.test.mjs"
