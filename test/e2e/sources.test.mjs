// The data sources end to end. Started by run_sources.sh, which passes
// STRATA_URL (test/e2e/sources_model over four sources: default = DuckDB,
// warehouse = PostgreSQL, maria = MariaDB, down = a PostgreSQL that is not
// there) and STRATA_SECRET. All three live databases hold the shop fixture:
// 6 orders, amounts 100, 50, 200, 30, 70, 15 (total 465), one without a user.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

const BASE = process.env.STRATA_URL;
const SECRET = process.env.STRATA_SECRET;
assert.ok(BASE && SECRET, 'run through run_sources.sh');

function sign(payload) {
  const b64 = (t) => Buffer.from(t).toString('base64url');
  const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${crypto.createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const TOKEN = sign({ sub: 'e2e', iat: now(), exp: now() + 3600 });

async function http(path, { method = 'GET', token = TOKEN, body } = {}) {
  const headers = {};
  if (token !== null) headers.Authorization = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, text };
}

const load = (query) =>
  http(`/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`);
const sql = (source, body) => http(`/api/v1/sources/${source}/query`, { method: 'POST', body });

describe('source administration API', () => {
  test('needs the API token', async () => {
    const r = await http('/api/v1/sources', { token: null });
    assert.equal(r.status, 403);
    const bad = await http('/api/v1/sources/warehouse/tables', { token: 'not.a.token' });
    assert.equal(bad.status, 403);
  });

  test('lists every source with its health', async () => {
    const r = await http('/api/v1/sources');
    assert.equal(r.status, 200, r.text);
    const byName = Object.fromEntries(r.json.sources.map((s) => [s.name, s]));
    assert.deepEqual(Object.keys(byName).sort(), ['default', 'down', 'maria', 'warehouse']);
    assert.equal(byName.default.type, 'duckdb');
    assert.equal(byName.warehouse.type, 'postgres');
    assert.equal(byName.maria.type, 'mariadb');
    assert.equal(byName.warehouse.health.ok, true, JSON.stringify(byName.warehouse));
    assert.equal(byName.maria.health.ok, true, JSON.stringify(byName.maria));
    assert.equal(byName.default.health.ok, true);
    assert.equal(byName.down.health.ok, false);
    assert.match(byName.down.health.detail, /source 'down' is unreachable/);
  });

  test('lists tables', async () => {
    for (const [source, schema] of [['warehouse', 'public'], ['maria', 'strata'], ['default', 'main']]) {
      const r = await http(`/api/v1/sources/${source}/tables`);
      assert.equal(r.status, 200, r.text);
      const names = r.json.tables.filter((t) => t.schema === schema).map((t) => t.name);
      assert.deepEqual(names, ['line_items', 'orders', 'products', 'users'], source);
    }
    assert.equal((await http('/api/v1/sources/nope/tables')).status, 404);
    const down = await http('/api/v1/sources/down/tables');
    assert.equal(down.status, 503);
    assert.equal(down.json.source, 'down');
  });

  test('table statistics on every engine', async () => {
    for (const source of ['warehouse', 'maria', 'default']) {
      const r = await http(`/api/v1/sources/${source}/tables/orders/stats`);
      assert.equal(r.status, 200, `${source}: ${r.text}`);
      assert.equal(r.json.rowCount, 6);
      const col = Object.fromEntries(r.json.columns.map((c) => [c.name, c]));
      assert.deepEqual(Object.keys(col), ['id', 'user_id', 'status', 'created_at', 'amount']);
      assert.equal(col.id.nullFraction, 0);
      assert.equal(col.id.min, 1);
      assert.equal(col.id.max, 6);
      assert.equal(col.user_id.nullFraction, 1 / 6);
      assert.equal(col.user_id.distinct, 3, source);  // users 1, 2, 3
      assert.equal(col.status.distinct, 3);
      assert.equal(col.status.min, 'cancelled');
      assert.equal(col.status.max, 'pending');
      assert.equal(col.amount.min, '15.00');
      assert.equal(col.amount.max, '200.00');
      assert.equal(col.created_at.min, '2024-01-01 00:30:00');
      assert.equal(col.created_at.max, '2024-03-31 23:59:59');
    }
    const qualified = await http('/api/v1/sources/warehouse/tables/public.users/stats');
    assert.equal(qualified.status, 200, qualified.text);
    assert.equal(qualified.json.rowCount, 4);
    const withParam = await http('/api/v1/sources/warehouse/tables/users/stats?schema=public');
    assert.equal(withParam.json.rowCount, 4);
  });

  test('statistics only for tables the source lists', async () => {
    for (const table of ['nope', 'orders;DROP TABLE orders', "orders' --", 'pg_class']) {
      const r = await http(`/api/v1/sources/warehouse/tables/${encodeURIComponent(table)}/stats`);
      assert.equal(r.status, 404, `${table}: ${r.text}`);
    }
  });

  test('SQL pass-through returns rows as JSON', async () => {
    for (const source of ['warehouse', 'maria', 'default']) {
      const r = await sql(source, { sql: 'SELECT status, count(*) AS n FROM orders GROUP BY status ORDER BY status' });
      assert.equal(r.status, 200, `${source}: ${r.text}`);
      assert.deepEqual(r.json.columns.map((c) => c.name), ['status', 'n']);
      assert.deepEqual(r.json.rows, [['cancelled', 1], ['completed', 3], ['pending', 2]]);
      assert.equal(r.json.truncated, false);
    }
    const limited = await sql('warehouse', { sql: 'SELECT id FROM orders ORDER BY id', limit: 2 });
    assert.deepEqual(limited.json.rows, [[1], [2]]);
    assert.equal(limited.json.truncated, true);
  });

  test('SQL pass-through refuses writes before the database sees them', async () => {
    const writes = [
      'INSERT INTO orders VALUES (7, 1, \'x\', NULL, 1)',
      'DELETE FROM orders',
      'SELECT 1; DROP TABLE orders',
      'WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d',
      'SELECT * INTO copy_of_orders FROM orders',
      'UPDATE orders SET amount = 0',
      'SELECT * FROM orders FOR UPDATE',
    ];
    for (const source of ['warehouse', 'maria', 'default']) {
      const statements = source === 'warehouse'
        ? [...writes, "SELECT set_config('default_transaction_read_only', 'off', false)",
          'SELECT pg_terminate_backend(pg_backend_pid())']
        : writes;
      for (const statement of statements) {
        const r = await sql(source, { sql: statement });
        assert.equal(r.status, 400, `${source}: ${statement}: ${r.text}`);
        assert.match(r.json.error, /read-only/);
      }
    }
    // Nothing changed.
    const count = await sql('warehouse', { sql: 'SELECT count(*) AS n, sum(amount) AS s FROM orders' });
    assert.deepEqual(count.json.rows, [[6, '465.00']]);
    assert.equal((await sql('warehouse', { sql: '' })).status, 400);
    assert.equal((await sql('nope', { sql: 'SELECT 1' })).status, 404);
  });

  test('SQL pass-through is cancelled at its timeout', async () => {
    const started = Date.now();
    const r = await sql('warehouse', { sql: 'SELECT pg_sleep(10)', timeoutMs: 300 });
    assert.equal(r.status, 504, r.text);
    assert.ok(Date.now() - started < 5000);
    const m = await sql('maria', { sql: 'SELECT SLEEP(10)', timeoutMs: 300 });
    assert.equal(m.status, 504, m.text);
    // Both sources answer right after.
    assert.equal((await sql('warehouse', { sql: 'SELECT 1 AS x' })).status, 200);
    assert.equal((await sql('maria', { sql: 'SELECT 1 AS x' })).status, 200);
  });
});

describe('failure behaviour', () => {
  test('a source that is down is a 503 naming it; the others keep answering', async () => {
    const down = await load({ measures: ['down_orders.count'] });
    assert.equal(down.status, 503, down.text);
    assert.equal(down.json.type, 'SourceError');
    assert.equal(down.json.source, 'down');
    assert.match(down.json.error, /source 'down' is unreachable/);

    for (const cube of ['orders', 'pg_orders', 'maria_orders']) {
      const r = await load({ measures: [`${cube}.count`, `${cube}.total_amount`] });
      assert.equal(r.status, 200, `${cube}: ${r.text}`);
      assert.equal(Number(r.json.data[0][`${cube}.count`]), 6);
      assert.equal(Number(r.json.data[0][`${cube}.total_amount`]), 465);
    }
  });

  test('time dimensions in a time zone agree across engines', async () => {
    const answers = [];
    for (const cube of ['pg_orders', 'maria_orders']) {
      const r = await load({
        measures: [`${cube}.count`],
        timeDimensions: [{ dimension: `${cube}.created_at`, granularity: 'month' }],
        timezone: 'America/New_York',
      });
      assert.equal(r.status, 200, r.text);
      answers.push(r.json.data.map((row) => [row[`${cube}.created_at.month`], Number(row[`${cube}.count`])]));
    }
    // o6 (Jan 1 00:30 UTC) is still December in New York.
    assert.deepEqual(answers[0], [
      ['2023-12-01T00:00:00.000', 1],
      ['2024-01-01T00:00:00.000', 2],
      ['2024-02-01T00:00:00.000', 2],
      ['2024-03-01T00:00:00.000', 1],
    ]);
    assert.deepEqual(answers[1], answers[0]);
  });

  test('many concurrent queries on a small pool all finish', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => load({ measures: ['pg_orders.count'] })),
    );
    for (const r of results) assert.equal(r.status, 200, r.text);
  });
});
