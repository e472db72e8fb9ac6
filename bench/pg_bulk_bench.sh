#!/usr/bin/env bash
# Rows per second of the PostgreSQL bulk path (PostgresSource: binary results
# into a ResultSet), of binary COPY decoded the same way, and of
#   psql -c "\copy (SELECT * FROM t) to /dev/null"
# on the same table of ROWS rows (default 1,000,000) x 5 columns (int8,
# numeric(12,2), text, timestamptz, float8), against a throwaway PostgreSQL
# started with scripts/test-postgres (stopped at the end).
#
#   bench/pg_bulk_bench.sh BUILD_DIR [ROWS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:?usage: pg_bulk_bench.sh BUILD_DIR [ROWS] [RUNS]}" && pwd)
rows=${2:-1000000}
runs=${3:-3}
bench="$build/bench/pg_bulk_bench"
[ -x "$bench" ] || { echo "build pg_bulk_bench first" >&2; exit 1; }

env_out=$("$root/scripts/test-postgres" start --watch $$)
eval "$env_out"
trap '"$root/scripts/test-postgres" stop "$STRATA_PG_DIR" >/dev/null 2>&1 || true' EXIT
"$root/scripts/test-postgres" psql "$STRATA_PG_DIR" -c "
  CREATE TABLE bulk AS SELECT i::int8 AS id, (i % 100000) / 100.0 ::numeric(12,2) AS amount,
    'customer-' || (i % 5000) AS name,
    TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 second' AS at,
    i * 0.25::float8 AS score
  FROM generate_series(1, $rows) i;
  ALTER TABLE bulk ALTER COLUMN amount TYPE numeric(12,2);" -c "VACUUM ANALYZE bulk" >/dev/null
conninfo="host=127.0.0.1 port=$STRATA_PG_PORT user=$STRATA_PG_USER password=$STRATA_PG_PASSWORD dbname=$STRATA_PG_DATABASE"

echo "table: $rows rows x 5 columns (int8, numeric(12,2), text, timestamptz, float8); best of $runs"
"$bench" "$conninfo" bulk "$runs"
best=""
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  PGPASSWORD=$STRATA_PG_PASSWORD psql -X -q -h 127.0.0.1 -p "$STRATA_PG_PORT" -U "$STRATA_PG_USER" \
    -d "$STRATA_PG_DATABASE" -c "\\copy (SELECT * FROM bulk) to /dev/null"
  end=$(date +%s%N)
  t=$((end - start))
  if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
awk -v rows="$rows" -v ns="$best" \
  'BEGIN { printf "psql    %d rows  %.3f s  %.0f rows/s  (\\copy, text, to /dev/null)\n", rows, ns / 1e9, rows / (ns / 1e9) }'
