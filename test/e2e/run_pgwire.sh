#!/usr/bin/env bash
# End-to-end test of the SQL API (PostgreSQL wire protocol) with real clients.
#
#   test/e2e/run_pgwire.sh BUILD_DIR
#
# 1. installs the npm packages of test/e2e (pg), once per package-lock.json;
# 2. builds two DuckDB files from test/fixtures/shop/seed.sql: one the servers
#    read (read-only, shared), one for plain SQL in the libpq test;
# 3. makes a self-signed TLS certificate (openssl);
# 4. starts five servers on 127.0.0.1 with ephemeral ports:
#      main:  shop fixture, SCRAM users alice (--sql-user) and bob (strata.yml), TLS, REST
#      md5:   the same, md5 authentication;   plain: the same, cleartext passwords
#      dev:   the same, --dev without users;  slow: test/e2e/slow_model, --dev
# 5. runs psql (scripted, output compared with pgwire/psql_session.out), psql
#    over TLS and with md5/cleartext, the libpq test program, and the node pg
#    tests (pgwire.test.mjs: prepared statements, binary results, REST
#    comparison, 50 connections, malformed bytes);
# 6. stops every server by PID and removes the scratch folder.
# Registered with ctest as e2e_pgwire (label e2e).
set -euo pipefail
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_pgwire.sh "${1:?usage: run_pgwire.sh BUILD_DIR}"
libpq_test="$build/test/e2e/pgwire_libpq_e2e"
[ -x "$libpq_test" ] || { echo "run_pgwire.sh: $libpq_test is missing" >&2; exit 1; }
command -v psql >/dev/null || { echo "run_pgwire.sh: psql is missing (Debian: postgresql-client)" >&2; exit 1; }

# 1. Node packages.
e2e_npm_install

# 2. Data.
"$duckdb_exec" "$work/shop.duckdb" "$root/test/fixtures/shop/seed.sql" >"$work/seed.log" 2>&1
"$duckdb_exec" "$work/plain.duckdb" "$root/test/fixtures/shop/seed.sql" >>"$work/seed.log" 2>&1

# 3. TLS.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -keyout "$work/server.key" -out "$work/server.crt" >"$work/openssl.log" 2>&1

# 4. Servers.
secret="e2e-secret-$RANDOM$RANDOM"
alice_pw="alice-$RANDOM$RANDOM"
config() { # config NAME EXTRA-YAML
  cat >"$work/$1.yml" <<YML
data_sources:
  default:
    type: duckdb
    path: $work/shop.duckdb
    read_only: true
sql_users:
  - name: bob
    password: bob-secret
    security_context: {tenant: acme, role: analyst}
$2
YML
}
config main "pg_tls_cert: $work/server.crt
pg_tls_key: $work/server.key"
config md5 "pg_auth: md5"
config plain "pg_auth: password"
cat >"$work/dev.yml" <<YML
data_sources:
  default:
    type: duckdb
    path: $work/shop.duckdb
    read_only: true
YML

common=(--listen 127.0.0.1:0 --api-secret "$secret" --model "$root/test/fixtures/shop/model"
  --pg-listen 127.0.0.1:0)
e2e_start main --config "$work/main.yml" "${common[@]}" --sql-user alice --sql-password "$alice_pw"
main_pid=$started_pid
e2e_start md5 --config "$work/md5.yml" "${common[@]}" --sql-user alice --sql-password "$alice_pw"
md5_pid=$started_pid
e2e_start plain --config "$work/plain.yml" "${common[@]}" --sql-user alice --sql-password "$alice_pw"
plain_pid=$started_pid
e2e_start dev --config "$work/dev.yml" "${common[@]}" --dev
dev_pid=$started_pid
e2e_start slow --listen 127.0.0.1:0 --model "$e2e/slow_model" --pg-listen 127.0.0.1:0 --dev
slow_pid=$started_pid

pg_pattern='SQL API listening on postgresql://127\.0\.0\.1:'
main_port=$(e2e_port main "$main_pid" "$pg_pattern")
rest_port=$(e2e_port main "$main_pid" 'REST API listening on http://127\.0\.0\.1:')
md5_port=$(e2e_port md5 "$md5_pid" "$pg_pattern")
plain_port=$(e2e_port plain "$plain_pid" "$pg_pattern")
dev_port=$(e2e_port dev "$dev_pid" "$pg_pattern")
slow_port=$(e2e_port slow "$slow_pid" "$pg_pattern")
echo "run_pgwire.sh: SQL API on $main_port (md5 $md5_port, cleartext $plain_port, dev $dev_port, slow $slow_port), REST on $rest_port"

export PGCONNECT_TIMEOUT=10
conn="host=127.0.0.1 port=$main_port user=alice dbname=strata"

# 5a. psql, scripted; the output must match the expected file exactly.
PGPASSWORD="$alice_pw" timeout 60 psql -X -q "$conn sslmode=disable" -f - \
  <"$e2e/pgwire/psql_session.sql" >"$work/psql_session.out" 2>&1 || true
if ! diff -u "$e2e/pgwire/psql_session.out" "$work/psql_session.out"; then
  echo "run_pgwire.sh: psql output differs from test/e2e/pgwire/psql_session.out" >&2
  exit 1
fi
echo "run_pgwire.sh: psql session matches"

# 5b. psql over TLS, with md5 and cleartext passwords, and a wrong password.
out=$(PGPASSWORD="$alice_pw" timeout 30 psql -X -At "$conn sslmode=require" \
  -c "SELECT MEASURE(count) FROM orders" -c '\conninfo')
echo "$out" | grep -qx 6 || { echo "run_pgwire.sh: TLS query failed: $out" >&2; exit 1; }
echo "$out" | grep -q 'SSL connection' || { echo "run_pgwire.sh: psql did not use TLS: $out" >&2; exit 1; }
for p in "$md5_port" "$plain_port"; do
  out=$(PGPASSWORD="$alice_pw" timeout 30 psql -X -At "host=127.0.0.1 port=$p user=alice dbname=strata sslmode=disable" \
    -c "SELECT SUM(total_amount) FROM orders")
  [ "$out" = "465.00" ] || { echo "run_pgwire.sh: port $p answered '$out'" >&2; exit 1; }
done
wrong_pw="not-the-password-$RANDOM$RANDOM"
if PGPASSWORD="$wrong_pw" timeout 30 psql -X -At "$conn sslmode=disable" -c "SELECT 1" >"$work/wrong.out" 2>&1; then
  echo "run_pgwire.sh: a wrong password was accepted" >&2
  exit 1
fi
grep -q 'password authentication failed for user "alice"' "$work/wrong.out"
if grep -q -e "$wrong_pw" -e "$alice_pw" -e bob-secret "$work"/*.log; then
  echo "run_pgwire.sh: a password reached the log" >&2
  exit 1
fi
echo "run_pgwire.sh: TLS, md5, cleartext and wrong passwords behave"

# 5c. libpq from C++.
PGPASSWORD="$alice_pw" timeout 120 "$libpq_test" "$conn sslmode=prefer" "$work/plain.duckdb" \
  "host=127.0.0.1 port=$slow_port user=tester dbname=strata sslmode=disable"

# 5d. node pg and raw sockets.
STRATA_PG_PORT="$main_port" STRATA_PG_PASSWORD="$alice_pw" \
  STRATA_PG_MD5_PORT="$md5_port" STRATA_PG_PLAIN_PORT="$plain_port" \
  STRATA_PG_DEV_PORT="$dev_port" STRATA_PG_SLOW_PORT="$slow_port" \
  STRATA_URL="http://127.0.0.1:$rest_port" STRATA_SECRET="$secret" \
  timeout 300 node --test --test-reporter=spec "$e2e/pgwire.test.mjs"

# Every server survived all of it.
for pid in "$main_pid" "$md5_pid" "$plain_pid" "$dev_pid" "$slow_pid"; do
  kill -0 "$pid" || { echo "run_pgwire.sh: server $pid died" >&2; exit 1; }
done
echo "run_pgwire.sh: all SQL API end-to-end tests passed"
