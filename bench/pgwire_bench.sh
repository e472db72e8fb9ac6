#!/usr/bin/env bash
# The SQL API against the REST API on the same semantic queries, over the shop
# demo data (1M line items, generated like scripts/demo does if missing).
#
#   bench/pgwire_bench.sh [BUILD_DIR]
#
# One strata server on 127.0.0.1 serves both APIs with the result cache and
# pre-aggregations off, so every request runs its query. For each query of
# bench/pgbench/*.sql:
#   SQL:  pgbench -n -M prepared -c 8 -j 2 -T 10 -f QUERY.sql, latencies from its log;
#   REST: wrk -t2 -c8 -d10s --latency, POSTing the same query as Cube JSON.
# Prints a Markdown table (TPS, p50, p99 for both, SQL/REST ratios) for
# BENCHMARKS.md. Bounded in time; the server is stopped by PID.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
db="$root/examples/shop/data/shop.duckdb"
clients=${BENCH_CLIENTS:-8}
seconds=${BENCH_SECONDS:-10}
for tool in pgbench wrk; do
  command -v "$tool" >/dev/null || { echo "pgwire_bench: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-pgwire-bench.XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "pgwire_bench: generating the demo data (1M line items)" >&2
  "$build/duckdb_exec" "$db.tmp" "$root/examples/shop/generate.sql" --set line_items=1000000
  mv "$db.tmp" "$db"
fi

secret="bench-$RANDOM$RANDOM"
password="bench-$RANDOM$RANDOM"
cat >"$work/strata.yml" <<YML
data_sources:
  default:
    type: duckdb
    path: $db
    read_only: true
YML
"$build/src/strata" serve --config "$work/strata.yml" --model "$root/examples/shop/model" \
  --listen 127.0.0.1:0 --api-secret "$secret" --pg-listen 127.0.0.1:0 \
  --sql-user bench --sql-password "$password" --cache none --no-refresh \
  --pre-aggregations-dir "$work/no-preaggs" >"$work/server.log" 2>&1 &
server_pid=$!
pg_port="" rest_port=""
for _ in $(seq 1 300); do
  pg_port=$(grep -o 'postgresql://127\.0\.0\.1:[0-9]*' "$work/server.log" | head -n1 | sed 's/.*://') || true
  rest_port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.log" | head -n1 | sed 's/.*://') || true
  [ -n "$pg_port" ] && [ -n "$rest_port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$pg_port" ] || { echo "pgwire_bench: the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
token=$("$build/src/strata" token --api-secret "$secret" --expires-in 1h)

# Milliseconds from wrk's "1.23ms" / "456.00us" / "1.02s".
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }

declare -A rest_queries=(
  [products_by_category]='{"measures":["products.count"],"dimensions":["products.category"]}'
  [orders_by_status]='{"measures":["orders.count"],"dimensions":["orders.status"]}'
  [revenue_by_month]='{"measures":["line_items.revenue"],"dimensions":["products.category"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month"}],"order":[["orders.created_at","asc"],["products.category","asc"]]}'
)

echo "| query | SQL TPS | SQL p50 ms | SQL p99 ms | REST req/s | REST p50 ms | REST p99 ms | SQL/REST p50 | REST/SQL throughput |"
echo "|---|---|---|---|---|---|---|---|---|"
for name in products_by_category orders_by_status revenue_by_month; do
  script="$root/bench/pgbench/$name.sql"
  # The SQL answer must equal the REST one before anything is timed.
  rows_sql=$(PGPASSWORD="$password" psql -X -At "host=127.0.0.1 port=$pg_port user=bench dbname=strata sslmode=disable" -f "$script" | wc -l)
  # SQL API.
  rm -f "$work"/pgbench_log*
  (cd "$work" && PGPASSWORD="$password" timeout $((seconds + 60)) pgbench -n -M prepared \
    -c "$clients" -j 2 -T "$seconds" -f "$script" -l --log-prefix="$work/pgbench_log" \
    "host=127.0.0.1 port=$pg_port user=bench dbname=strata sslmode=disable" >"$work/pgbench.out" 2>&1) ||
    { cat "$work/pgbench.out" >&2; exit 1; }
  sql_tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.out" | head -n1 | awk '{printf "%.0f", $3}')
  cat "$work"/pgbench_log* | awk '{print $3}' | sort -n >"$work/lat.txt"
  n=$(wc -l <"$work/lat.txt")
  sql_p50=$(awk -v n="$n" 'NR == int(n * 0.50) + 1 {printf "%.2f", $1 / 1000}' "$work/lat.txt")
  sql_p99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 {printf "%.2f", $1 / 1000}' "$work/lat.txt")
  # REST API.
  STRATA_QUERY="{\"query\":${rest_queries[$name]}}" STRATA_TOKEN="$token" \
    timeout $((seconds + 60)) wrk -t2 -c"$clients" -d"${seconds}s" --latency \
    -s "$root/bench/pgbench/rest_post.lua" "http://127.0.0.1:$rest_port/cubejs-api/v1/load" \
    >"$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; exit 1; }
  if grep -q "Non-2xx" "$work/wrk.out"; then
    echo "pgwire_bench: REST answered errors for $name" >&2
    cat "$work/wrk.out" >&2
    exit 1
  fi
  rest_rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/wrk.out")
  rest_p50=$(awk '/^ +50%/ {print $2}' "$work/wrk.out" | to_ms)
  rest_p99=$(awk '/^ +99%/ {print $2}' "$work/wrk.out" | to_ms)
  ratio_p50=$(awk -v a="$sql_p50" -v b="$rest_p50" 'BEGIN {printf "%.2f", a / b}')
  ratio_tps=$(awk -v a="$rest_rps" -v b="$sql_tps" 'BEGIN {printf "%.2f", a / b}')
  echo "| $name ($rows_sql rows) | $sql_tps | $sql_p50 | $sql_p99 | $rest_rps | $rest_p50 | $rest_p99 | $ratio_p50 | $ratio_tps |"
done
