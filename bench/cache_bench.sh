#!/usr/bin/env bash
# Caching and pre-aggregations on the shop demo data (1M line items): the
# same dashboard query (revenue and count by category and month over 2025)
# answered by the source, by the demo model's rollups and by the result
# cache, p50 / p99 over REST (wrk, one connection, 10 s each), then the
# throughput of the cached query (wrk, 2 threads, 16 connections, 10 s).
# Rollup rows:
#   - line_items.sales_by_month in memory: the query is at its grain, rows
#     are read as they are;
#   - the same rollup read from its Parquet files (pre_aggregations.memory: 0);
#   - line_items.sales_by_day in memory, regrouped: the query by category
#     and status, months summed from days.
# Prints the rows BENCHMARKS.md records. Servers bind 127.0.0.1, run one at
# a time and are stopped by PID.
#
#   bench/cache_bench.sh            (BUILD_DIR=build-cache to use another build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
db="$root/examples/shop/data/shop.duckdb"
port=${BENCH_PORT:-4191}
secret=bench-secret
duration=${BENCH_DURATION:-10s}
work=$(mktemp -d)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "bench: generating the demo data (1M line items)"
  "$build/duckdb_exec" "$db.tmp" "$root/examples/shop/generate.sql" --set line_items=1000000
  mv "$db.tmp" "$db"
fi
command -v wrk >/dev/null || { echo "bench: wrk is missing (scripts/bootstrap installs it)" >&2; exit 1; }
urlencode() { node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1"; }

echo "## building the rollup (strata refresh --once)"
start=$(date +%s.%N)
"$build/src/strata" refresh --once --model "$root/examples/shop/model" --duckdb "$db" \
  --dir "$work/preaggs"
awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "build time: %.1f s\n", e - s }'
du -sh "$work/preaggs" | awk '{ print "rollup size on disk: " $1 }'

token=$("$build/src/strata" token --api-secret "$secret" --expires-in 1h)
# Revenue and line count by category and month over 2025.
dashboard='{"measures":["line_items.revenue","line_items.count"],"dimensions":["products.category"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month","dateRange":["2025-01-01","2025-12-31"]}]}'
url="http://127.0.0.1:$port/cubejs-api/v1/load?query=$(urlencode "$dashboard")"
by_status='{"measures":["line_items.revenue","line_items.count"],"dimensions":["products.category","orders.status"],"timeDimensions":[{"dimension":"orders.created_at","granularity":"month","dateRange":["2025-01-01","2025-12-31"]}]}'
status_url="http://127.0.0.1:$port/cubejs-api/v1/load?query=$(urlencode "$by_status")"
echo "pre_aggregations: {memory: 0}" >"$work/files-only.yml"

serve() { # serve NAME FLAGS...
  local name=$1
  shift
  "$build/src/strata" serve --model "$root/examples/shop/model" --duckdb "$db" \
    --listen "127.0.0.1:$port" --api-secret "$secret" --no-refresh "$@" >"$work/$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$port/livez" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: the $name server did not start" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# Waits until the server has loaded the rollup NAME into memory.
wait_in_memory() { # wait_in_memory NAME
  for _ in $(seq 100); do
    curl -s -H "Authorization: $token" "http://127.0.0.1:$port/cubejs-api/v1/pre-aggregations" |
      node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
        const p=JSON.parse(s).preAggregations.find(x=>x.id===process.argv[1]);
        process.exit(p && p.inMemory ? 0 : 1)})' "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 was never loaded into memory" >&2
  exit 1
}

# One connection, requests back to back: latency percentiles.
latency() { # latency LABEL [URL]
  local out
  out=$(wrk -t1 -c1 -d"$duration" --latency -H "Authorization: $token" "${2:-$url}")
  local p50 p99 n
  p50=$(echo "$out" | awk '$1 == "50%" { print $2 }')
  p99=$(echo "$out" | awk '$1 == "99%" { print $2 }')
  n=$(echo "$out" | awk '/requests in/ { print $1 }')
  printf '%-28s p50 %-10s p99 %-10s (%s requests)\n' "$1" "$p50" "$p99" "$n"
}

check() { # check [URL]: prints what answered
  curl -s -H "Authorization: $token" "${1:-$url}" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
      if (r.error) { console.log("error: " + r.error); process.exit(1); }
      console.log("  answered by: " + (Object.keys(r.usedPreAggregations).join(",") || "source") +
        ", fromCache: " + r.fromCache + ", rows: " + r.data.length)})'
}

echo "## dashboard query over REST ($duration each, one connection)"
serve source --cache none --pre-aggregations-dir "$work/none"
check
latency "source (DuckDB, 1M rows)"
stop_server

# The SQL strata runs for QUERY (JSON), into FILE.
sql_of() { # sql_of QUERY FILE
  curl -s -G -H "Authorization: $token" --data-urlencode "query=$1" \
    "http://127.0.0.1:$port/cubejs-api/v1/sql" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).sql.sql[0]))' >"$2"
}

# The same SQL straight in DuckDB (bench/duckdb_direct, one thread as the
# __preaggs source has), over an in-memory database holding the rollup's
# rows in a table of the name strata gave its memory table.
direct() { # direct LABEL SQL_FILE ROLLUP
  local table files
  table=$(grep -o 'FROM "preagg_[0-9]*"' "$2" | head -1 | sed 's/FROM "\(.*\)"/\1/')
  files=$(node -e 'const [m, dir] = process.argv.slice(1);
    const parts = JSON.parse(require("fs").readFileSync(m, "utf8")).partitions;
    process.stdout.write(parts.map((p) => "'"'"'" + dir + "/" + p.file + "'"'"'").join(", "))' \
    "$work/preaggs/$3/manifest.json" "$work/preaggs/$3")
  echo "CREATE TABLE \"$table\" AS SELECT * FROM read_parquet([$files]);" >"$work/load.sql"
  printf '%-28s %s\n' "$1" "$("$build/bench/duckdb_direct" :memory: "$2" 1000 1 "$work/load.sql")"
}

serve rollup --cache none --pre-aggregations-dir "$work/preaggs"
check >/dev/null
wait_in_memory line_items.sales_by_month
check
latency "rollup in memory, at grain"
check "$status_url" >/dev/null
wait_in_memory line_items.sales_by_day
check "$status_url"
latency "rollup in memory, regrouped" "$status_url"
sql_of "$dashboard" "$work/at_grain.sql"
sql_of "$by_status" "$work/regrouped.sql"
stop_server
echo "## the same SQL in DuckDB alone (1000 runs)"
direct "at grain" "$work/at_grain.sql" line_items.sales_by_month
direct "regrouped" "$work/regrouped.sql" line_items.sales_by_day

serve files --cache none --pre-aggregations-dir "$work/preaggs" --config "$work/files-only.yml"
check
latency "rollup from Parquet files"
stop_server

serve cached --cache memory --pre-aggregations-dir "$work/none"
check >/dev/null
check
latency "result cache (memory)"
echo "## cached query throughput (wrk, 2 threads, 16 connections, $duration)"
wrk -t2 -c16 -d"$duration" --latency -H "Authorization: $token" "$url" |
  grep -E "Requests/sec|Latency|requests in|^ +(50|99)%"
stop_server
