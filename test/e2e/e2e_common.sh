# Helpers shared by the end-to-end drivers (source it; bash only). They follow
# run_rest.sh's pattern: a scratch folder removed on exit, servers started in
# the background on ephemeral 127.0.0.1 ports and stopped by PID, logs shown
# when something fails, npm packages installed once per package-lock.json.
#
#   source "$(dirname "$0")/e2e_common.sh"
#   e2e_init NAME BUILD_DIR        # sets $root $e2e $build $strata $duckdb_exec $work
#   e2e_npm_install                # npm ci in test/e2e (serialized with flock)
#   e2e_start NAME ARGS...         # strata serve ARGS... in the background; sets $started_pid
#   e2e_port NAME PID PATTERN      # waits for PATTERN's port in NAME's log and prints it
#   e2e_ready NAME PORT            # waits (10 s at most) for NAME's /readyz on PORT to succeed
#
# Every server started with e2e_start is stopped (TERM, then KILL after 5 s)
# when the script exits, whatever the exit status.

e2e_init() { # e2e_init NAME BUILD_DIR
  e2e_name=$1
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  e2e="$root/test/e2e"
  build=$(cd "${2:?usage: $e2e_name BUILD_DIR}" && pwd)
  strata="$build/src/strata"
  duckdb_exec="$build/duckdb_exec"
  for bin in "$strata" "$duckdb_exec"; do
    if [ ! -x "$bin" ]; then
      echo "$e2e_name: $bin is missing; build first (make build BUILD_DIR=...)" >&2
      exit 1
    fi
  done
  work=$(mktemp -d "${TMPDIR:-/tmp}/strata-e2e-$e2e_name.XXXXXX")
  e2e_pids=()
  trap e2e_cleanup EXIT
  trap 'exit 130' INT TERM
}

e2e_cleanup() {
  local status=$?
  for pid in "${e2e_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${e2e_pids[@]}"; do
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

e2e_npm_install() {
  (
    cd "$e2e"
    flock 9
    stamp="node_modules/.strata-lock-stamp"
    if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
      npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
      cp package-lock.json "$stamp"
    fi
  ) 9<"$e2e/package-lock.json"
}

e2e_start() { # e2e_start NAME ARGS...
  local name=$1
  shift
  "$strata" serve "$@" >"$work/$name.log" 2>&1 &
  started_pid=$!
  e2e_pids+=("$started_pid")
}

e2e_port() { # e2e_port NAME PID PATTERN (a regex ending just before the port)
  local name=$1 pid=$2 pattern=$3 port=""
  for _ in $(seq 1 300); do
    port=$(grep -o "$pattern[0-9]*" "$work/$name.log" 2>/dev/null | head -n 1 |
      sed 's/.*://') || true
    [ -n "$port" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$e2e_name: the $name server exited during start-up; its log ends:" >&2
      tail -n 20 "$work/$name.log" >&2
      return 1
    fi
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "$e2e_name: the $name server did not report its port" >&2
    return 1
  fi
  echo "$port"
}

e2e_ready() { # e2e_ready NAME PORT: GET http://127.0.0.1:PORT/readyz until it succeeds
  local name=$1 port=$2
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$e2e_name: the $name server on port $port never became ready" >&2
  return 1
}
