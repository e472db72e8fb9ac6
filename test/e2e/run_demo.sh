#!/usr/bin/env bash
# End-to-end test of `make demo` (scripts/demo), which nothing else runs:
# with a small data set (20,000 line items) in a scratch folder and
# ephemeral ports, the script must generate the data, build the demo
# model's rollups, start strata and print a token and queries that work.
# Checks, with curl and node's pg client:
#  - both rollups are built, and the dashboard query (revenue and count by
#    category and month) is answered by line_items.sales_by_month;
#  - the REST query the banner prints answers every order status;
#  - the SQL query the banner prints (psql) gives the same revenue per
#    status as REST;
#  - the rollup's answer equals the source's: the same query with a filter
#    no rollup holds (line_items.quantity set, true of every row).
# Registered with ctest as e2e_demo (label e2e).
set -euo pipefail

# shellcheck source=e2e_common.sh
source "$(dirname "$0")/e2e_common.sh"
e2e_init run_demo.sh "${1:-}"
e2e_npm_install

STRATA_DEMO_DATA="$work/data" SHOP_LINE_ITEMS=20000 STRATA_LISTEN=127.0.0.1:0 \
  STRATA_PG_LISTEN=127.0.0.1:0 BUILD_DIR="$build" "$root/scripts/demo" >"$work/demo.log" 2>&1 &
demo_pid=$! # the script execs strata serve: this is the server's PID
e2e_pids+=("$demo_pid")
port=$(e2e_port demo "$demo_pid" 'listening on http://127\.0\.0\.1:')
pg_port=$(e2e_port demo "$demo_pid" 'SQL API listening on postgresql://127\.0\.0\.1:')
grep -q "line_items.sales_by_day: [1-9][0-9]* built" "$work/demo.log"
grep -q "line_items.sales_by_month: [1-9][0-9]* built" "$work/demo.log"
token=$(grep -o 'Authorization: [^"]*' "$work/demo.log" | head -n 1 | sed 's/Authorization: //')
sql=$(grep -o "\-c 'SELECT [^']*'" "$work/demo.log" | head -n 1 | sed "s/^-c '//; s/'\$//")
[ -n "$token" ] && [ -n "$sql" ] || { echo "run_demo.sh: the banner lacks a token or a query" >&2; exit 1; }

cd "$e2e"
BASE="http://127.0.0.1:$port" TOKEN="$token" PG_PORT="$pg_port" SQL="$sql" \
  PG_USER=demo PG_PASSWORD=demo-password-change-me node --input-type=module -e '
import assert from "node:assert/strict";
import pg from "pg";
const { BASE, TOKEN, PG_PORT, SQL, PG_USER, PG_PASSWORD } = process.env;
async function load(query) {
  const url = `${BASE}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`;
  const r = await fetch(url, { headers: { Authorization: TOKEN } });
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
}
// The banner REST query.
const byStatus = await load({ measures: ["orders.count", "line_items.revenue"], dimensions: ["orders.status"] });
assert.ok(byStatus.data.length >= 3, JSON.stringify(byStatus.data));
// The banner SQL query over the PostgreSQL protocol: the same revenue per status.
const client = new pg.Client({ host: "127.0.0.1", port: Number(PG_PORT), user: PG_USER,
                               password: PG_PASSWORD, database: "strata" });
await client.connect();
const rows = (await client.query(SQL)).rows;
await client.end();
const viaSql = Object.fromEntries(rows.map((r) => [r.orders_status, Number(r.revenue).toFixed(2)]));
const viaRest = Object.fromEntries(byStatus.data.map((r) => [r["orders.status"], Number(r["line_items.revenue"]).toFixed(2)]));
assert.deepEqual(viaSql, viaRest);
// The dashboard query from the monthly rollup, and the same from the source.
const dashboard = { measures: ["line_items.revenue", "line_items.count"], dimensions: ["products.category"],
  timeDimensions: [{ dimension: "orders.created_at", granularity: "month", dateRange: ["2025-01-01", "2025-12-31"] }],
  order: [["orders.created_at", "asc"], ["products.category", "asc"]] };
const rollup = await load(dashboard);
assert.deepEqual(Object.values(rollup.usedPreAggregations).map((p) => p.preAggregation), ["line_items.sales_by_month"]);
const source = await load({ ...dashboard, filters: [{ member: "line_items.quantity", operator: "set" }] });
assert.deepEqual(source.usedPreAggregations, {});
assert.ok(rollup.data.length > 0);
assert.deepEqual(rollup.data, source.data);
console.log(`run_demo.sh: ok (${byStatus.data.length} statuses, ${rollup.data.length} dashboard rows)`);
'
