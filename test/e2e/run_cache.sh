#!/usr/bin/env bash
# End-to-end test of the result cache and pre-aggregations over REST.
#
#   test/e2e/run_cache.sh BUILD_DIR
#
# 1. builds the shop DuckDB file from test/fixtures/shop/seed.sql, and a
#    model folder: the shop fixture with a rollup added to orders;
# 2. starts a throwaway Redis (scripts/test-redis) and three servers on
#    127.0.0.1 (ephemeral ports): `memory` (in-memory cache, refresh worker
#    every second, pre-aggregations in the scratch folder), and `node_a`,
#    `node_b` (two nodes sharing the Redis cache, no refresh worker);
# 3. runs cache.test.mjs with node:test (@cubejs-client/core and fetch);
#    it kills Redis near the end (scripts/test-redis kill) to check that
#    queries keep answering;
# 4. always stops everything it started, by PID or folder.
# Registered with ctest as e2e_cache (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_cache.sh "${1:-}"

redis_dir=""
cache_cleanup() {
  local status=$?
  [ -n "$redis_dir" ] && { "$root/scripts/test-redis" stop "$redis_dir" >/dev/null 2>&1 || true; }
  (exit "$status")
  e2e_cleanup
}
trap cache_cleanup EXIT

e2e_npm_install

# 1. Data and model.
"$duckdb_exec" "$work/shop.duckdb" "$root/test/fixtures/shop/seed.sql" >"$work/seed.log" 2>&1
cp -r "$root/test/fixtures/shop/model" "$work/model"
cat >>"$work/model/orders.yml" <<'YAML'
    pre_aggregations:
      - name: by_day
        measures: [count, total_amount, average_amount]
        dimensions: [status]
        time_dimension: created_at
        granularity: day
        partition_granularity: month
YAML

# 2. Redis and servers.
"$root/scripts/test-redis" start --watch $$ >"$work/redis.env"
# shellcheck disable=SC1091
source "$work/redis.env"
redis_dir=$STRATA_REDIS_DIR
secret="e2e-secret-$RANDOM$RANDOM"
common=(--listen 127.0.0.1:0 --api-secret "$secret" --model "$work/model")
# Three servers share one DuckDB file: each opens it read-only (DuckDB lets
# one process write a file, or any number read it).
sources="data_sources: {default: {type: duckdb, path: $work/shop.duckdb, read_only: true}}"
# Cubes' default refresh key would be a 10 s bucket: an hour keeps the
# cache assertions clear of bucket boundaries.
cat >"$work/memory.yml" <<YAML
$sources
cache: {type: memory, default_refresh: 1h}
pre_aggregations: {dir: $work/preaggs, interval: 1s, lease: file}
YAML
e2e_start memory --config "$work/memory.yml" "${common[@]}"
memory_pid=$started_pid
cat >"$work/shared.yml" <<YAML
$sources
cache: {type: redis, default_refresh: 1h}
redis: {host: 127.0.0.1, port: $STRATA_REDIS_PORT}
pre_aggregations: {dir: $work/preaggs-shared, refresh: false}
YAML
e2e_start node_a --config "$work/shared.yml" "${common[@]}"
a_pid=$started_pid
e2e_start node_b --config "$work/shared.yml" "${common[@]}"
b_pid=$started_pid
memory_port=$(e2e_port memory "$memory_pid" 'listening on http://127\.0\.0\.1:')
a_port=$(e2e_port node_a "$a_pid" 'listening on http://127\.0\.0\.1:')
b_port=$(e2e_port node_b "$b_pid" 'listening on http://127\.0\.0\.1:')
echo "run_cache.sh: memory on $memory_port, node_a on $a_port, node_b on $b_port"

# 3. Tests.
STRATA_URL="http://127.0.0.1:$memory_port" \
  STRATA_NODE_A="http://127.0.0.1:$a_port" \
  STRATA_NODE_B="http://127.0.0.1:$b_port" \
  STRATA_SECRET="$secret" \
  STRATA_REDIS_KILL="$root/scripts/test-redis kill $redis_dir" \
  STRATA_NODE_A_LOG="$work/node_a.log" \
  timeout 300 node --test --test-concurrency=1 --test-reporter=spec "$e2e/cache.test.mjs"
