#!/usr/bin/env bash
# End-to-end test of the REST API with the real @cubejs-client/core.
#
#   test/e2e/run_rest.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (e2e_npm_install),
# 2. builds a DuckDB file from test/fixtures/shop/seed.sql (BUILD_DIR/duckdb_exec),
# 3. starts two servers on 127.0.0.1 with ephemeral ports:
#      main: the shop model over that file;
#      slow: test/e2e/slow_model with continue_wait: 100ms (strata.yml),
# 4. waits for /readyz on both, runs rest.test.mjs with node:test,
# 5. always stops both servers by their PIDs and removes the scratch folder
#    (e2e_common.sh).
# Registered with ctest as e2e_rest (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_rest.sh "${1:-}"

# 1. Node packages.
e2e_npm_install

# 2. The shop database.
"$duckdb_exec" "$work/shop.duckdb" "$root/test/fixtures/shop/seed.sql" >"$work/seed.log" 2>&1

# 3. Servers.
secret="e2e-secret-$RANDOM$RANDOM"
common=(--listen 127.0.0.1:0 --api-secret "$secret")
e2e_start main "${common[@]}" --model "$root/test/fixtures/shop/model" --duckdb "$work/shop.duckdb"
main_pid=$started_pid
printf 'continue_wait: 100ms\n' >"$work/slow.yml"
e2e_start slow "${common[@]}" --config "$work/slow.yml" --model "$e2e/slow_model"
slow_pid=$started_pid

# 4. Tests.
listening='listening on http://127\.0\.0\.1:'
main_port=$(e2e_port main "$main_pid" "$listening")
e2e_ready main "$main_port"
slow_port=$(e2e_port slow "$slow_pid" "$listening")
e2e_ready slow "$slow_port"
echo "run_rest.sh: main server on $main_port, slow server on $slow_port"
STRATA_URL="http://127.0.0.1:$main_port" \
  STRATA_SLOW_URL="http://127.0.0.1:$slow_port" \
  STRATA_SECRET="$secret" \
  timeout 300 node --test --test-reporter=spec "$e2e/rest.test.mjs"
