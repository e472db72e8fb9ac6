#!/usr/bin/env bash
# End-to-end test of the Iceberg REST catalog client (src/lake/catalog/
# rest_catalog.cpp) with the real strata binary, against
# fake_rest_catalog.mjs: a FAKE REST catalog (no REST catalog server is
# packaged in Debian or npm) serving the real tables of
# ../shared/testdata/iceberg, bound to 127.0.0.1 on ephemeral ports.
#
#   test/e2e/run_lake_rest_catalog.sh BUILD_DIR
#
# 1. starts two fakes: one with a prefix (overrides.prefix of /v1/config), a
#    required warehouse, a static bearer token, OAuth2 client credentials
#    with 3-second tokens, and pages of 2; one plain (no prefix, no paging)
#    whose 3-second tokens claim to live an hour,
# 2. `strata lake inspect` and `strata lake query` on SOURCE.ns.table
#    locations through the catalog, with the static token and with client
#    credentials: row counts, aggregates, deletes of all three kinds, time
#    travel, a nested namespace (%1F); a wrong secret, a wrong token and a
#    missing table fail with errors naming the catalog (HTTP 401),
# 3. `strata serve` with cubes over `catalog: rest` sources: /load answers,
#    the lake admin API listing every namespace (?parent=) and table (pages
#    followed), queries after OAuth tokens expired (renewed before expiry,
#    and after a 419); a server whose source has a wrong secret does not
#    start,
# 4. always stops every process it started (by PID) and removes its scratch
#    folder.
# Expected values come from ../shared/testdata/iceberg/MANIFEST.md.
# Registered with ctest as e2e_lake_rest_catalog (label e2e).
set -euo pipefail
source "$(dirname "$0")/e2e_common.sh"
e2e_init lake_rest_catalog "${1:-}"

fixtures=$(cd "$root/../shared/testdata/iceberg" && pwd)
lithium="$fixtures/lithium-iceberg-cxx"
duck="$fixtures/duckdb-iceberg"

fail() {
  echo "run_lake_rest_catalog.sh: $*" >&2
  exit 1
}
check() { # check NAME EXPECTED ACTUAL
  [ "$2" == "$3" ] || fail "$1: expected '$2', got '$3'"
  echo "ok - $1"
}
# json EXPR: evaluates the JavaScript expression EXPR on the JSON of stdin (j).
json() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const v=('"$1"');console.log(typeof v==="string"?v:JSON.stringify(v))})'
}
# cell: the first value of `strata lake query`'s table (its third line).
cell() { sed -n 3p | sed 's/^ *//; s/ *$//'; }

# 1. The fakes.
start_fake() { # start_fake NAME ARGS... (sets $started_pid)
  local name=$1
  shift
  node "$e2e/fake_rest_catalog.mjs" "$fixtures" "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  e2e_pids+=("$started_pid")
}
fake_port() { e2e_port "$1" "$2" 'fake-rest-catalog listening on http://127\.0\.0\.1:'; }
token="static-$RANDOM$RANDOM"
client_id="strata-e2e"
client_secret="secret-$RANDOM$RANDOM"
start_fake fake --prefix cat-7 --warehouse lakehouse --token "$token" \
  --client-id "$client_id" --client-secret "$client_secret" --token-ttl 3 --page-size 2
port=$(fake_port fake "$started_pid")
start_fake plain --token "$token" --client-id "$client_id" --client-secret "$client_secret" \
  --token-ttl 3 --expires-in 3600
plain_port=$(fake_port plain "$started_pid")
catalog="http://127.0.0.1:$port"
echo "run_lake_rest_catalog.sh: fake REST catalogs on $catalog and http://127.0.0.1:$plain_port"

# Recorded paths -> the fixture folders (MANIFEST.md, column "prefix").
path_map="s3a://warehouse -> $lithium, \
s3a://dl-test-maintenance/check/tea-partitioned/v_20240913 -> $lithium/external_data_paths, \
lineitem_iceberg -> $duck/lineitem_iceberg, \
data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned -> $duck/equality_deletes_partitioned"

source_yaml() { # source_yaml NAME URI AUTH_LINE
  cat <<YAML
  $1:
    type: iceberg
    catalog: rest
    uri: $2
    warehouse: lakehouse
    $3
    path_map: "$path_map"
    cache_dir: $work/cache
YAML
}
mkdir -p "$work/model"
{
  echo "model: ./model"
  echo "data_sources:"
  source_yaml bearer "$catalog" "token: \${E2E_ICEBERG_TOKEN}"
  source_yaml oauth "$catalog/" "credential: $client_id:\${E2E_CLIENT_SECRET}"
  source_yaml revoked "http://127.0.0.1:$plain_port" "credential: $client_id:\${E2E_CLIENT_SECRET}"
} >"$work/strata.yml"
{
  echo "data_sources:"
  source_yaml plain "http://127.0.0.1:$plain_port" "token: $token"
} >"$work/plain.yml"
{
  echo "model: ./model"
  echo "data_sources:"
  source_yaml wrong_secret "$catalog" "credential: $client_id:not-the-secret"
} >"$work/wrong_secret.yml"
{
  echo "data_sources:"
  source_yaml wrong_token "$catalog" "token: not-the-token"
} >"$work/wrong_token.yml"
export E2E_ICEBERG_TOKEN="$token" E2E_CLIENT_SECRET="$client_secret"
cd "$work"

# 2. The command line, with the static bearer token.
out=$("$strata" lake inspect -c strata.yml bearer.lithium-iceberg-cxx.dangling_deletes --json)
check "token: inspect dangling_deletes: rows after deletes" 10 "$(echo "$out" | json 'j.counts.rows')"
check "token: inspect dangling_deletes: snapshots" 7 "$(echo "$out" | json 'j.snapshots.length')"
check "token: inspect dangling_deletes: metadata location from the catalog" \
  "s3a://warehouse/dangling_deletes/metadata/00011-31179cfb-920d-47df-af37-7362d4028557.metadata.json" \
  "$(echo "$out" | json 'j.metadataLocation')"
third=$(echo "$out" | json 'j.snapshots.find(s => s.sequenceNumber === 3).snapshotId')
out=$("$strata" lake query -c strata.yml bearer.lithium-iceberg-cxx.dangling_deletes \
  "SELECT count(*) || ',' || sum(c1) || ',' || string_agg(c1::VARCHAR, ' ' ORDER BY c1) FROM t")
check "token: query dangling_deletes: count, sum and values" "10,75,1 2 4 5 7 8 10 11 13 14" "$(echo "$out" | cell)"
out=$("$strata" lake query -c strata.yml bearer.lithium-iceberg-cxx.dangling_deletes \
  'SELECT count(*) FROM t' --as-of "snapshot:$third")
check "token: query dangling_deletes as of its third snapshot" 16 "$(echo "$out" | cell)"
out=$("$strata" lake query -c strata.yml 'bearer."lithium-iceberg-cxx".deletion_vectors' \
  'SELECT count(*) FROM t')
check "token: query deletion_vectors (format v3)" 8 "$(echo "$out" | cell)"
out=$("$strata" lake inspect -c strata.yml bearer.lithium-iceberg-cxx.external_data_paths.iceberg \
  --json --no-count)
check "token: nested namespace: records and data files" "1 3" \
  "$(echo "$out" | json 'j.counts.records + " " + j.counts.dataFiles')"
check "token: nested namespace: table name" "lithium-iceberg-cxx.external_data_paths.iceberg" \
  "$(echo "$out" | json 'j.table')"
out=$("$strata" lake query -c plain.yml plain.lithium-iceberg-cxx.no_partitioning 'SELECT count(*) FROM t')
check "token: a catalog without a prefix" 6 "$(echo "$out" | cell)"

# ... and with OAuth2 client credentials.
grants_before=$(grep -c 'POST /v1/oauth/tokens -> 200' fake.log || true)
out=$("$strata" lake query -c strata.yml oauth.duckdb-iceberg.lineitem_iceberg 'SELECT count(*) FROM t')
check "oauth: query lineitem_iceberg" 51793 "$(echo "$out" | cell)"
out=$("$strata" lake query -c strata.yml oauth.duckdb-iceberg.equality_deletes_partitioned \
  "SELECT string_agg(name, ',' ORDER BY id) FROM t")
check "oauth: query equality_deletes_partitioned" "a,d,e" "$(echo "$out" | cell)"
out=$("$strata" lake inspect -c strata.yml oauth.lithium-iceberg-cxx.granular_deletes --json)
check "oauth: inspect granular_deletes: rows, records" "10 16" \
  "$(echo "$out" | json 'j.counts.rows + " " + j.counts.records')"
grants=$(grep -c 'POST /v1/oauth/tokens -> 200' fake.log || true)
[ "$((grants - grants_before))" -ge 3 ] || fail "oauth: expected a token grant per command, saw $((grants - grants_before))"
echo "ok - oauth: each command exchanged the client credentials for a token"

# Failures name the catalog and the HTTP status.
expect_failure() { # expect_failure NAME PATTERN... -- COMMAND...
  local name=$1 patterns=()
  shift
  while [ "$1" != "--" ]; do
    patterns+=("$1")
    shift
  done
  shift
  if "$@" >"$work/failure.txt" 2>&1; then
    fail "$name: succeeded; it should have failed"
  fi
  for p in "${patterns[@]}"; do
    grep -qF -- "$p" "$work/failure.txt" || fail "$name: '$p' not in: $(cat "$work/failure.txt")"
  done
  echo "ok - $name"
}
expect_failure "a wrong client secret" "REST catalog $catalog" "HTTP 401" "invalid_client" -- \
  "$strata" lake query -c wrong_secret.yml wrong_secret.lithium-iceberg-cxx.dangling_deletes 'SELECT 1'
expect_failure "a wrong bearer token" "REST catalog $catalog" "HTTP 401" "NotAuthorizedException" -- \
  "$strata" lake inspect -c wrong_token.yml wrong_token.lithium-iceberg-cxx.dangling_deletes
expect_failure "a missing table" "data source 'bearer' has no table lithium-iceberg-cxx.no_such_table" -- \
  "$strata" lake inspect -c strata.yml bearer.lithium-iceberg-cxx.no_such_table
expect_failure "a missing namespace" "data source 'oauth' has no table no_such_ns.dangling_deletes" -- \
  "$strata" lake inspect -c strata.yml oauth.no_such_ns.dangling_deletes

# 3. strata serve: cubes over both sources.
cat >model/lake.yml <<'YAML'
cubes:
  - name: deletes
    sql_table: '"lithium-iceberg-cxx".dangling_deletes'
    data_source: oauth
    dimensions:
      - {name: c1, sql: c1, type: number, primary_key: true}
    measures:
      - {name: count, type: count}
      - {name: c1_sum, sql: c1, type: sum}
  - name: names
    sql_table: '"duckdb-iceberg".equality_deletes_partitioned'
    data_source: oauth
    dimensions:
      - {name: id, sql: id, type: number, primary_key: true}
      - {name: name, sql: name, type: string}
    measures:
      - {name: count, type: count}
  - name: plain
    sql_table: '"lithium-iceberg-cxx".no_partitioning'
    data_source: revoked
    measures:
      - {name: count, type: count}
  - name: lineitem
    sql_table: '"duckdb-iceberg".lineitem_iceberg'
    data_source: bearer
    dimensions:
      - {name: orderkey, sql: l_orderkey, type: number, primary_key: true}
    measures:
      - {name: count, type: count}
YAML
secret="e2e-secret-$RANDOM$RANDOM"
e2e_start server --config strata.yml --listen 127.0.0.1:0 --api-secret "$secret"
server_pid=$started_pid
sport=$(e2e_port server "$server_pid" 'listening on http://127\.0\.0\.1:')
url="http://127.0.0.1:$sport"
for _ in $(seq 1 100); do
  curl -fsS "$url/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
api_token=$("$strata" token --api-secret "$secret")
api() { curl -sS -H "Authorization: $api_token" "$url$1"; }
load() { curl -sS -H "Authorization: $api_token" -H 'Content-Type: application/json' \
  -d "{\"query\": $1}" "$url/cubejs-api/v1/load"; }

out=$(load '{"measures": ["deletes.count", "deletes.c1_sum"]}')
check "serve: dangling_deletes cube (oauth)" "10 75" \
  "$(echo "$out" | json 'Number(j.data[0]["deletes.count"]) + " " + Number(j.data[0]["deletes.c1_sum"])')"
out=$(load '{"dimensions": ["names.name"], "order": {"names.name": "asc"}}')
check "serve: equality_deletes_partitioned cube (oauth)" "a,d,e" \
  "$(echo "$out" | json 'j.data.map(r => r["names.name"]).join(",")')"
out=$(load '{"measures": ["lineitem.count"]}')
check "serve: lineitem cube (token)" 51793 "$(echo "$out" | json 'Number(j.data[0]["lineitem.count"])')"

out=$(api /api/v1/lake)
check "serve: lake sources" "bearer:rest oauth:rest revoked:rest" \
  "$(echo "$out" | json 'j.sources.map(s => s.name + ":" + s.catalog).sort().join(" ")')"
out=$(api /api/v1/lake/oauth/namespaces)
check "serve: every namespace, nested ones too" \
  "duckdb-iceberg lithium-iceberg-cxx lithium-iceberg-cxx.external_data_paths" \
  "$(echo "$out" | json 'j.namespaces.map(n => n.name).sort().join(" ")')"
# The tables MANIFEST.md lists (external_data_paths keeps its metadata in iceberg/).
manifest_tables() { # manifest_tables SOURCE_DIR
  grep -o "^| \`$1/[a-z0-9_][a-z0-9_]*\`" "$fixtures/MANIFEST.md" | sed "s/^| \`$1\///; s/\`\$//" |
    grep -vx external_data_paths | sort | tr '\n' ' ' | sed 's/ $//'
}
for ns in lithium-iceberg-cxx duckdb-iceberg; do
  out=$(api "/api/v1/lake/oauth/namespaces/$ns/tables")
  check "serve: every table of $ns (pages of 2)" "$(manifest_tables "$ns")" \
    "$(echo "$out" | json 'j.tables.map(t => t.name).sort().join(" ")')"
done
out=$(api /api/v1/lake/oauth/namespaces/lithium-iceberg-cxx.external_data_paths/tables)
check "serve: the table of the nested namespace" "lithium-iceberg-cxx.external_data_paths.iceberg" \
  "$(echo "$out" | json 'j.tables.map(t => t.table).join(" ")')"
grep -q 'GET /v1/cat-7/namespaces/lithium-iceberg-cxx/tables?pageToken=[A-Za-z0-9_-]' fake.log ||
  fail "the client did not follow next-page-token"
grep -q 'GET /v1/cat-7/namespaces?parent=lithium-iceberg-cxx&pageToken=' fake.log ||
  fail "the client did not list namespaces with ?parent="
grep -q 'GET /v1/cat-7/namespaces/lithium-iceberg-cxx%1Fexternal_data_paths/tables' fake.log ||
  fail "the nested namespace did not travel joined by %1F"
echo "ok - serve: pages followed, ?parent= asked, %1F used (fake's log)"
out=$(api /api/v1/lake/bearer/tables/lithium-iceberg-cxx.deletion_vectors)
check "serve: table report of deletion_vectors (rows, snapshots)" "8 5" \
  "$(echo "$out" | json 'j.counts.rows + " " + j.snapshots.length')"

# OAuth tokens live 3 seconds. The oauth source knows (expires_in 3) and
# renews its token; the revoked source was told 3600, so its token dies
# early: the catalog answers 419 and the source asks for a new token.
grants_before=$(grep -c 'POST /v1/oauth/tokens -> 200' fake.log || true)
plain_grants_before=$(grep -c 'POST /v1/oauth/tokens -> 200' plain.log || true)
sleep 4
out=$(load '{"measures": ["deletes.count"], "filters": [{"member": "deletes.c1", "operator": "gt", "values": ["10"]}]}')
check "serve: after the token expired" 3 "$(echo "$out" | json 'Number(j.data[0]["deletes.count"])')"
grants=$(grep -c 'POST /v1/oauth/tokens -> 200' fake.log || true)
[ "$grants" -gt "$grants_before" ] || fail "serve: no new token after expiry"
echo "ok - serve: a new token after the old one expired"
out=$(load '{"measures": ["plain.count"]}')
check "serve: after the token was refused (419)" 6 "$(echo "$out" | json 'Number(j.data[0]["plain.count"])')"
grep -q -- '-> 419' plain.log || fail "serve: the early-expiring token was never refused"
plain_grants=$(grep -c 'POST /v1/oauth/tokens -> 200' plain.log || true)
[ "$plain_grants" -gt "$plain_grants_before" ] || fail "serve: no new token after a 419"
echo "ok - serve: a new token after the catalog refused the old one"

# A server whose REST catalog refuses the credentials does not start.
e2e_start refused --config wrong_secret.yml --listen 127.0.0.1:0 --api-secret "$secret"
refused_pid=$started_pid
for _ in $(seq 1 300); do
  kill -0 "$refused_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$refused_pid" 2>/dev/null; then fail "serve with a wrong secret is still running"; fi
if wait "$refused_pid"; then fail "serve with a wrong secret exited with status 0"; fi
for p in "REST catalog $catalog" "HTTP 401" "invalid_client"; do
  grep -qF -- "$p" refused.log || fail "serve with a wrong secret: '$p' not in: $(cat refused.log)"
done
echo "ok - serve: a wrong secret stops start-up with the catalog's 401"
echo "run_lake_rest_catalog.sh: all checks passed"
