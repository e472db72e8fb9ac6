#!/usr/bin/env bash
# End-to-end test of an iceberg data source behind the REST API and the lake
# administration API, with the real @cubejs-client/core.
#
#   test/e2e/run_lake_rest.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (e2e_npm_install),
# 2. writes a partitioned table with `strata lake append` (twice: 240 then
#    240 rows of hourly events) into a warehouse folder,
# 3. starts `strata serve` on 127.0.0.1 (ephemeral ports, REST and SQL API)
#    with a model whose cube reads shop.events from an iceberg source (folder
#    catalog), plus one shared fixture table named explicitly,
# 4. runs lake.test.mjs with node:test: /load (plain, filtered, asOf), the
#    /api/v1/lake endpoints and the SQL API as of a snapshot,
# 5. always stops the server by its PID and removes the scratch folder
#    (e2e_common.sh).
# Registered with ctest as e2e_lake_rest (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_lake_rest.sh "${1:-}"

# 1. Node packages.
e2e_npm_install

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
e2e_start lake --config "$work/strata.yml" --listen 127.0.0.1:0 --api-secret "$secret" \
  --pg-listen 127.0.0.1:0 --sql-user lake --sql-password "$sql_password"
server_pid=$started_pid
port=$(e2e_port lake "$server_pid" 'listening on http://127\.0\.0\.1:')
e2e_ready lake "$port"
# The SQL API starts listening just after the REST API: wait for its port too.
pg_port=$(e2e_port lake "$server_pid" 'SQL API listening on postgresql://127\.0\.0\.1:')

# 4. Tests.
STRATA_URL="http://127.0.0.1:$port" \
  STRATA_TOKEN="$("$strata" token --api-secret "$secret")" \
  STRATA_FIRST_SNAPSHOT="$first" \
  STRATA_PG_PORT="$pg_port" STRATA_PG_PASSWORD="$sql_password" \
  timeout 300 node --test --test-reporter=spec "$e2e/lake.test.mjs"
