#!/usr/bin/env bash
# The Iceberg SQL catalog (iceberg_tables) on a real PostgreSQL: starts a
# throwaway server with scripts/test-postgres (127.0.0.1, free port), runs
# the catalog tests of BUILD_DIR/test/lake_tests against it (two catalog
# connections racing their commits: both survive), and stops it.
#
#   test/e2e/run_lake_pg.sh BUILD_DIR
# Registered with ctest as e2e_lake_pg (label e2e).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: run_lake_pg.sh BUILD_DIR}" && pwd)
lake_tests="$build/test/lake_tests"
[ -x "$lake_tests" ] || { echo "run_lake_pg.sh: $lake_tests is missing; build first" >&2; exit 1; }
eval "$("$root/scripts/test-postgres" start --watch $$)"
trap '"$root/scripts/test-postgres" stop "$STRATA_PG_DIR" >/dev/null 2>&1 || true' EXIT
STRATA_TEST_PG_CATALOG="host=$STRATA_PG_HOST port=$STRATA_PG_PORT user=$STRATA_PG_USER password=$STRATA_PG_PASSWORD dbname=$STRATA_PG_DATABASE" \
  timeout 300 "$lake_tests" --gtest_filter='LakeAppend.PostgresCatalog*' --gtest_brief=1
