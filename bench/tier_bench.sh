#!/usr/bin/env bash
# Tiered query benchmark (issue 4): 1M hot rows in PostgreSQL (last 30 days),
# 10M cold rows in DuckDB (the two years before). The same question over the
# whole range through strata (both tiers, merged) against each tier alone
# answering its part directly, p50 of repeated runs. Bounded: fixed run
# counts; servers on 127.0.0.1, stopped by PID/dir at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
runs=${BENCH_RUNS:-20}
work=$(mktemp -d)
pg_dir=""
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$pg_dir" ] && "$root/scripts/test-postgres" stop "$pg_dir" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

echo "tier bench: starting PostgreSQL with 1M hot rows"
eval "$("$root/scripts/test-postgres" start --sql "$root/bench/tiers/hot_postgres.sql")"
pg_dir=$STRATA_PG_DIR
echo "tier bench: writing 10M cold rows into DuckDB"
"$build/duckdb_exec" "$work/cold.duckdb" "$root/bench/tiers/cold_duckdb.sql"

cat >"$work/strata.yml" <<YML
model: $root/bench/tiers/model
data_sources:
  default: {type: duckdb, path: $work/cold.duckdb}
  pg: {type: postgres, host: 127.0.0.1, port: $STRATA_PG_PORT, database: $STRATA_PG_DATABASE,
       user: $STRATA_PG_USER, password: "\${BENCH_PG_PASSWORD}"}
YML
export BENCH_PG_PASSWORD=$STRATA_PG_PASSWORD

query='{"measures":["events.count","events.revenue","events.average"],"dimensions":["events.kind"],"timeDimensions":[{"dimension":"events.created_at","granularity":"month"}],"renewQuery":true}'
"$build/src/strata" sql --config "$work/strata.yml" "$query" >"$work/merge.sql"

# Each tier alone: the same aggregation over its own rows, straight to the engine.
hot_sql="SELECT kind, date_trunc('month', created_at) AS m, count(*), sum(amount), avg(amount) FROM events GROUP BY 1, 2"
cold_sql="SELECT kind, date_trunc('month', created_at) AS m, count(*), sum(amount), avg(amount) FROM events GROUP BY 1, 2"
echo "$cold_sql" >"$work/cold.sql"
echo "## cold tier alone (DuckDB, 10M rows)"
"$build/bench/duckdb_direct" "$work/cold.duckdb" "$work/cold.sql" "$runs" | tee "$work/cold.txt"
echo "## hot tier alone (PostgreSQL, 1M rows; pgbench, 1 client)"
echo "$hot_sql;" >"$work/hot.sql"
PGPASSWORD=$STRATA_PG_PASSWORD pgbench -n -h 127.0.0.1 -p "$STRATA_PG_PORT" -U "$STRATA_PG_USER" \
  -f "$work/hot.sql" -t "$runs" -r "$STRATA_PG_DATABASE" 2>/dev/null | grep -E "latency average" | tee "$work/hot.txt"

"$build/src/strata" serve --config "$work/strata.yml" --listen 127.0.0.1:0 --api-secret bench \
  >"$work/server.log" 2>&1 &
server_pid=$!
port=""
for _ in $(seq 100); do
  port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
token=$("$build/src/strata" token --api-secret bench --expires-in 1h)
target="/cubejs-api/v1/load?query=$(node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$query")"
echo "## strata, both tiers merged (REST)"
"$build/bench/http_latency" 127.0.0.1 "$port" "$target" "$token" "$runs" | tee "$work/strata.txt"

cold=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' "$work/cold.txt")
hot=$(sed -E 's/.*= ([0-9.]+) ms.*/\1/' "$work/hot.txt")
both=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' "$work/strata.txt")
awk -v c="$cold" -v h="$hot" -v s="$both" 'BEGIN {
  slow = (c > h) ? c : h
  printf "slower tier alone: %.1f ms; strata over both tiers: %.1f ms; ratio %.2fx (target <= 1.3x)\n", slow, s, s / slow
}'
