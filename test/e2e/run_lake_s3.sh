#!/usr/bin/env bash
# End-to-end test of the Iceberg lake on S3, against s3rver: an S3 fake from
# the npm registry (the one fake allowed in strata's tests, and only for S3),
# bound to 127.0.0.1.
#
#   test/e2e/run_lake_s3.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (e2e_npm_install),
# 2. starts s3rver on an ephemeral port with a bucket "lake",
# 3. runs BUILD_DIR/test/lake_tests --gtest_filter='LakeS3*': every table of
#    ../shared/testdata/iceberg is uploaded through strata's SigV4 client and
#    read back from s3:// with the same answers as from disk (time travel,
#    deletes, the disk cache and its size cap, an S3 warehouse with path_map,
#    appends to an S3 table),
# 4. runs `strata lake inspect` and `strata lake query` on s3:// locations,
# 5. always stops s3rver by its PID and removes the scratch folder
#    (e2e_common.sh).
# Registered with ctest as e2e_lake_s3 (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_lake_s3.sh "${1:-}"
lake_tests="$build/test/lake_tests"
if [ ! -x "$lake_tests" ]; then
  echo "run_lake_s3.sh: $lake_tests is missing; build first (make build BUILD_DIR=...)" >&2
  exit 1
fi

# 1. Node packages.
e2e_npm_install

# 2. s3rver on an ephemeral port.
mkdir -p "$work/s3" "$work/cache"
"$e2e/node_modules/.bin/s3rver" -d "$work/s3" -a 127.0.0.1 -p 0 --configure-bucket lake \
  >"$work/s3rver.log" 2>&1 &
s3_pid=$!
e2e_pids+=("$s3_pid")
port=$(e2e_port s3rver "$s3_pid" 'listening on 127\.0\.0\.1:')
endpoint="http://127.0.0.1:$port"
echo "run_lake_s3.sh: s3rver on $endpoint"

# 3. The lake tests against it (they upload the fixtures).
STRATA_TEST_S3_ENDPOINT="$endpoint" timeout 600 "$lake_tests" --gtest_filter='LakeS3*' --gtest_brief=1

# 4. The command line on s3:// locations (s3rver's default key pair).
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
s3flags=(--s3-endpoint "$endpoint" --s3-path-style --cache-dir "$work/cache")
check() { # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "run_lake_s3.sh: $1: expected '$2', got '$3'" >&2
    exit 1
  fi
  echo "ok - $1"
}
json=$("$strata" lake inspect s3://lake/lithium-iceberg-cxx/dangling_deletes --json "${s3flags[@]}")
check "inspect: rows after deletes" 10 "$(echo "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).counts.rows))')"
check "inspect: snapshots" 7 "$(echo "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).snapshots.length))')"
out=$("$strata" lake query s3://lake/duckdb-iceberg/lineitem_iceberg 'SELECT count(*) AS n FROM t' "${s3flags[@]}")
check "query: lineitem rows" 51793 "$(echo "$out" | sed -n 3p | tr -d ' ')"
out=$("$strata" lake query s3://lake/duckdb-iceberg/equality_deletes_partitioned \
  "SELECT string_agg(name, ',' ORDER BY id) AS names FROM t" "${s3flags[@]}")
check "query: equality deletes" "a,d,e" "$(echo "$out" | sed -n 3p | tr -d ' ')"
if "$strata" lake inspect s3://lake/no/such/table "${s3flags[@]}" >"$work/err.txt" 2>&1; then
  echo "run_lake_s3.sh: inspecting a missing table succeeded" >&2
  exit 1
fi
grep -q "no Iceberg table at s3://lake/no/such/table" "$work/err.txt" && echo "ok - missing table error"
