#!/usr/bin/env bash
# The lake benchmark (BENCHMARKS.md, "Lake (Iceberg)"): writes a ~10M-row
# day-partitioned Iceberg table with strata's append path into a scratch
# folder, compares a one-day query through strata with DuckDB read_parquet
# over all files and over exactly the needed files, then removes the folder.
#
#   bench/lake_bench.sh [BUILD_DIR] [ROWS] [DAYS] [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD_DIR:-$root/build}}
rows=${2:-10000000}
days=${3:-365}
runs=${4:-20}
bin="$build/bench/lake_bench"
[ -x "$bin" ] || { echo "lake_bench.sh: $bin is missing; build first" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-lake-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "| step | data | time |"
echo "|---|---|---|"
"$bin" "$work" --rows "$rows" --days "$days" --runs "$runs"
du -sh "$work/bench/events" | awk '{print "table size on disk: " $1}'
