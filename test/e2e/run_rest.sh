#!/usr/bin/env bash
# End-to-end test of the REST API with the real @cubejs-client/core.
#
#   test/e2e/run_rest.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (npm ci, from the registry, once
#    per package-lock.json; serialized with flock so parallel runs are safe),
# 2. builds a DuckDB file from test/fixtures/shop/seed.sql (BUILD_DIR/duckdb_exec),
# 3. starts two servers on 127.0.0.1 with ephemeral ports:
#      main: the shop model over that file;
#      slow: test/e2e/slow_model with continue_wait: 100ms (strata.yml),
# 4. waits for /readyz on both, runs rest.test.mjs with node:test,
# 5. always stops both servers by their PIDs and removes the scratch folder.
# Registered with ctest as e2e_rest (label e2e).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
e2e="$root/test/e2e"
build=$(cd "${1:?usage: run_rest.sh BUILD_DIR}" && pwd)
strata="$build/src/strata"
duckdb_exec="$build/duckdb_exec"
for bin in "$strata" "$duckdb_exec"; do
  if [ ! -x "$bin" ]; then
    echo "run_rest.sh: $bin is missing; build first (make build BUILD_DIR=...)" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e-rest.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # Give each server a few seconds to stop gracefully, then insist.
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] || continue
      echo "---- $(basename "$log") (last 40 lines) ----" >&2
      tail -n 40 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. Node packages.
(
  cd "$e2e"
  flock 9
  stamp="node_modules/.strata-lock-stamp"
  if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    cp package-lock.json "$stamp"
  fi
) 9<"$e2e/package-lock.json"

# 2. The shop database.
"$duckdb_exec" "$work/shop.duckdb" "$root/test/fixtures/shop/seed.sql" >"$work/seed.log" 2>&1

secret="e2e-secret-$RANDOM$RANDOM"

# Starts a server in the background; sets $started_pid and prints its port.
start_server() { # start_server NAME ARGS...
  local name=$1
  shift
  "$strata" serve --listen 127.0.0.1:0 --api-secret "$secret" "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

port_of() { # port_of NAME PID: waits for the server's "listening" line
  local name=$1 pid=$2 port=""
  for _ in $(seq 1 300); do
    port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/$name.log" 2>/dev/null |
      head -n 1 | sed 's/.*://') || true
    [ -n "$port" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run_rest.sh: the $name server exited during start-up" >&2
      return 1
    fi
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "run_rest.sh: the $name server did not report its port" >&2
    return 1
  fi
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      echo "$port"
      return 0
    fi
    sleep 0.1
  done
  echo "run_rest.sh: the $name server on port $port never became ready" >&2
  return 1
}

# 3. Servers.
start_server main --model "$root/test/fixtures/shop/model" --duckdb "$work/shop.duckdb"
main_pid=$started_pid
printf 'continue_wait: 100ms\n' >"$work/slow.yml"
start_server slow --config "$work/slow.yml" --model "$e2e/slow_model"
slow_pid=$started_pid

# 4. Tests.
main_port=$(port_of main "$main_pid")
slow_port=$(port_of slow "$slow_pid")
echo "run_rest.sh: main server on $main_port, slow server on $slow_port"
STRATA_URL="http://127.0.0.1:$main_port" \
  STRATA_SLOW_URL="http://127.0.0.1:$slow_port" \
  STRATA_SECRET="$secret" \
  timeout 300 node --test --test-reporter=spec "$e2e/rest.test.mjs"
