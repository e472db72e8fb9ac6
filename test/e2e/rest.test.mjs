// The REST API as Cube's own JavaScript client sees it. Started by
// run_rest.sh, which passes STRATA_URL (shop model over
// test/fixtures/shop/seed.sql), STRATA_SLOW_URL (test/e2e/slow_model with
// continue_wait: 100ms) and STRATA_SECRET. Expected numbers are computed by
// hand from the seed (see the comments next to each).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import cube from '@cubejs-client/core';

const BASE = process.env.STRATA_URL;
const SLOW_BASE = process.env.STRATA_SLOW_URL;
const SECRET = process.env.STRATA_SECRET;
assert.ok(BASE && SLOW_BASE && SECRET, 'run through run_rest.sh');

function b64url(text) {
  return Buffer.from(text).toString('base64url');
}

// HS256 JWT signed with node's crypto (no JWT library).
function sign(payload, secret = SECRET, header = { alg: 'HS256', typ: 'JWT' }) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = crypto.createHmac('sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);
const TOKEN = sign({ sub: 'e2e', iat: now(), exp: now() + 3600 });
const api = cube(TOKEN, { apiUrl: `${BASE}/cubejs-api/v1` });
const slowApi = cube(TOKEN, { apiUrl: `${SLOW_BASE}/cubejs-api/v1`, pollInterval: 0.05 });

// Raw HTTP for what the client hides: statuses, headers, malformed input.
async function http(path, { method = 'GET', token = TOKEN, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token !== null) h.Authorization = token;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(`${BASE}${path}`, { method, headers: h, body });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

const load = (query, opts) => http(`/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(query))}`, opts);

// Asserts that the client's load() fails with `status` and a message matching `pattern`.
async function rejectsWith(promise, status, pattern) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.status, status, `status of: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
}

const byKey = (rows, key) => Object.fromEntries(rows.map((r) => [r[key], r]));

describe('load through @cubejs-client/core', () => {
  test('orders.count and orders.total_amount over all orders', async () => {
    const rs = await api.load({ measures: ['orders.count', 'orders.total_amount'] });
    // 6 orders; 100 + 50 + 200 + 30 + 70 + 15 = 465.00. Numbers come as strings, like Cube's drivers.
    assert.deepEqual(rs.tablePivot(), [{ 'orders.count': '6', 'orders.total_amount': '465.00' }]);
    assert.deepEqual(rs.rawData(), [{ 'orders.count': '6', 'orders.total_amount': '465.00' }]);
    const annotation = rs.annotation();
    assert.equal(annotation.measures['orders.count'].title, 'Orders Count');
    assert.equal(annotation.measures['orders.count'].shortTitle, 'Count');
    assert.equal(annotation.measures['orders.count'].type, 'number');
    assert.equal(annotation.measures['orders.total_amount'].format, 'currency');
    assert.deepEqual(rs.query().measures, ['orders.count', 'orders.total_amount']);
    assert.equal(rs.loadResponses[0].limitReached, false);
    assert.equal(rs.loadResponses[0].dbType, 'duckdb');
  });

  test('count and amount by status', async () => {
    const rs = await api.load({
      measures: ['orders.count', 'orders.total_amount'],
      dimensions: ['orders.status'],
    });
    const rows = byKey(rs.tablePivot(), 'orders.status');
    assert.deepEqual(Object.keys(rows).sort(), ['cancelled', 'completed', 'pending']);
    // completed: orders 1, 3, 5 (100 + 200 + 70); pending: 2, 6 (50 + 15); cancelled: 4.
    assert.equal(rows.completed['orders.count'], '3');
    assert.equal(rows.completed['orders.total_amount'], '370.00');
    assert.equal(rows.pending['orders.count'], '2');
    assert.equal(rows.pending['orders.total_amount'], '65.00');
    assert.equal(rows.cancelled['orders.count'], '1');
    assert.equal(rows.cancelled['orders.total_amount'], '30.00');
    // chartPivot() parses the numbers.
    const chart = byKey(rs.chartPivot(), 'x');
    assert.equal(chart.completed['orders.count'], 3);
    assert.equal(chart.completed['orders.total_amount'], 370);
  });

  test('orders by month in UTC: both time keys, chartPivot fills the year, series()', async () => {
    const query = {
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2024-01-01', '2024-12-31'] }],
      timezone: 'UTC',
    };
    const rs = await api.load(query);
    const raw = rs.rawData();
    // Jan: orders 1, 2 and 6 (00:30 on Jan 1); Feb: 3 and 4; Mar: 5 (23:59:59 on Mar 31).
    const jan = raw.find((r) => r['orders.created_at.month'] === '2024-01-01T00:00:00.000');
    assert.ok(jan, JSON.stringify(raw));
    assert.equal(jan['orders.created_at'], '2024-01-01T00:00:00.000');
    assert.equal(jan['orders.count'], '3');
    assert.equal(rs.annotation().timeDimensions['orders.created_at.month'].granularity.name, 'month');

    const chart = rs.chartPivot();
    assert.equal(chart.length, 12);
    assert.deepEqual(
      chart.slice(0, 4).map((p) => [p.x, p['orders.count']]),
      [
        ['2024-01-01T00:00:00.000', 3],
        ['2024-02-01T00:00:00.000', 2],
        ['2024-03-01T00:00:00.000', 1],
        ['2024-04-01T00:00:00.000', 0],
      ],
    );
    const series = rs.series();
    assert.equal(series.length, 1);
    assert.equal(series[0].key, 'orders.count');
    assert.equal(series[0].title, 'Orders Count');
    assert.equal(series[0].series.length, 12);
    assert.deepEqual(series[0].series[1], { x: '2024-02-01T00:00:00.000', value: 2 });
    assert.deepEqual(
      rs.tablePivot().map((r) => r['orders.count']).slice(0, 3),
      ['3', '2', '1'],
    );
    const pivot = rs.pivot();
    assert.equal(pivot.length, 12);
    assert.deepEqual(pivot[0].xValues, ['2024-01-01T00:00:00.000']);
  });

  test('a timezone moves orders across month boundaries', async () => {
    // In New York (UTC-5 in winter), order 6 (2024-01-01 00:30 UTC) falls in December 2023.
    const rs = await api.load({
      measures: ['orders.count'],
      timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month', dateRange: ['2023-12-01', '2024-01-31'] }],
      timezone: 'America/New_York',
    });
    const rows = byKey(rs.rawData(), 'orders.created_at.month');
    assert.equal(rows['2023-12-01T00:00:00.000']['orders.count'], '1');
    assert.equal(rows['2024-01-01T00:00:00.000']['orders.count'], '2');
  });

  test('fan-out: order amounts by product category are not inflated by line items', async () => {
    const rs = await api.load({ measures: ['orders.total_amount'], dimensions: ['products.category'] });
    const rows = byKey(rs.tablePivot(), 'products.category');
    // hardware: orders 1, 2, 3, 5 (100 + 50 + 200 + 70), each once although order 1 has two hardware items;
    // digital: orders 1 and 4 (100 + 30); order 6 has no line items.
    assert.equal(rows.hardware['orders.total_amount'], '420.00');
    assert.equal(rows.digital['orders.total_amount'], '130.00');
    assert.equal(rows.null['orders.total_amount'], '15.00');
  });

  test('line item revenue by product category', async () => {
    const rs = await api.load({ measures: ['line_items.revenue'], dimensions: ['products.category'] });
    const rows = byKey(rs.tablePivot(), 'products.category');
    // hardware: 2*10 + 2*25 + 2*25 + 10*10 + 4*25 + 7*10 = 390; digital: 6*5 + 6*5 = 60.
    assert.equal(Number(rows.hardware['line_items.revenue']), 390);
    assert.equal(Number(rows.digital['line_items.revenue']), 60);
  });

  test('a view answers like its cubes', async () => {
    const rs = await api.load({ measures: ['sales.revenue'], dimensions: ['sales.product_category'] });
    const rows = byKey(rs.tablePivot(), 'sales.product_category');
    assert.equal(Number(rows.hardware['sales.revenue']), 390);
    assert.equal(rs.annotation().measures['sales.revenue'].title, 'Sales Revenue');
  });

  test('limitReached says when the limit cut the rows, total counts them all', async () => {
    const rs = await api.load({
      measures: ['orders.count'],
      dimensions: ['orders.status'],
      limit: 2,
      total: true,
    });
    assert.equal(rs.rawData().length, 2);
    assert.equal(rs.loadResponses[0].limitReached, true);
    assert.equal(rs.totalRows(), 3);
  });

  test('several queries at once (data blending) with queryType=multi', async () => {
    const rs = await api.load([
      { measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'year', dateRange: ['2024-01-01', '2024-12-31'] }] },
      { measures: ['users.count'], timeDimensions: [{ dimension: 'users.created_at', granularity: 'year', dateRange: ['2024-01-01', '2024-12-31'] }] },
    ]);
    assert.equal(rs.queryType, 'blendingQuery');
    assert.equal(rs.decompose().length, 2);
    const chart = rs.chartPivot();
    assert.equal(chart.length, 1);
    assert.equal(chart[0]['orders.count'], 6);
  });

  test('an array of queries without queryType=multi is refused, as Cube does', async () => {
    const r = await load([{ measures: ['orders.count'] }, { measures: ['users.count'] }]);
    assert.equal(r.status, 400);
    assert.match(r.json.error, /blendingQuery/);
  });

  test('POST /load answers like GET', async () => {
    const r = await http('/cubejs-api/v1/load', {
      method: 'POST',
      body: JSON.stringify({ query: { measures: ['orders.count'] } }),
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.data, [{ 'orders.count': '6' }]);
    assert.equal(r.json.query.measures[0], 'orders.count');
    assert.ok(r.json.annotation.measures['orders.count']);
  });
});

describe('meta, sql and dry-run through the client', () => {
  test('meta() lists cubes, members and views', async () => {
    const meta = await api.meta();
    const names = meta.cubes.map((c) => c.name);
    for (const n of ['orders', 'users', 'products', 'line_items', 'sales']) assert.ok(names.includes(n), n);
    const orders = meta.cubes.find((c) => c.name === 'orders');
    assert.equal(orders.type, 'cube');
    assert.equal(orders.title, 'Orders');
    const count = orders.measures.find((m) => m.name === 'orders.count');
    assert.equal(count.title, 'Orders Count');
    assert.equal(count.aggType, 'count');
    assert.equal(meta.cubes.find((c) => c.name === 'sales').type, 'view');
    assert.equal(meta.resolveMember('orders.total_amount', 'measures').title, 'Orders Total Amount');
    assert.equal(meta.resolveMember('orders.created_at', 'dimensions').type, 'time');
    assert.equal(meta.defaultTimeDimensionNameFor('orders.count'), 'orders.created_at');
    assert.deepEqual(
      meta.filterOperatorsForMember('orders.created_at', 'dimensions').map((o) => o.name).slice(0, 3),
      ['equals', 'notEquals', 'inDateRange'],
    );
  });

  test('sql() returns the generated SQL', async () => {
    const sql = await api.sql({ measures: ['orders.count'], dimensions: ['orders.status'] });
    assert.match(sql.sql(), /select/i);
    assert.match(sql.sql(), /orders/);
    assert.ok(Array.isArray(sql.rawQuery().sql[1]));
  });

  test('dryRun() normalizes without running', async () => {
    const r = await api.dryRun({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'day', dateRange: ['2024-01-01', '2024-01-31'] }] });
    assert.equal(r.queryType, 'regularQuery');
    assert.equal(r.normalizedQueries.length, 1);
    assert.deepEqual(r.normalizedQueries[0].timeDimensions[0].dateRange, ['2024-01-01T00:00:00.000', '2024-01-31T23:59:59.999']);
    assert.equal(r.pivotQuery.queryType, 'regularQuery');
  });
});

describe('bad requests get the right status and a helpful message', () => {
  test('bad JSON in the query parameter', async () => {
    const r = await http('/cubejs-api/v1/load?query=' + encodeURIComponent('{"measures": ["orders.count",]}'));
    assert.equal(r.status, 400);
    assert.match(r.json.error, /Unable to decode query param as JSON/);
    assert.match(r.json.error, /character 30/);
  });

  test('bad JSON in a POST body', async () => {
    const r = await http('/cubejs-api/v1/load', { method: 'POST', body: '{"query": {' });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /request body as JSON/);
  });

  test('unknown member', async () => {
    await rejectsWith(api.load({ measures: ['orders.nope'] }), 400, /orders\.nope/);
    const r = await load({ measures: ['orders.nope'] });
    assert.equal(r.json.type, 'UserError');
    assert.equal(r.json.path, 'measures[0]');
  });

  test('wrong filter operator', async () => {
    await rejectsWith(
      api.load({ measures: ['orders.count'], filters: [{ member: 'orders.status', operator: 'like', values: ['x'] }] }),
      400,
      /operator.*like|like.*operator/,
    );
  });

  test('impossible date range', async () => {
    await rejectsWith(
      api.load({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-03-01', '2024-01-01'] }] }),
      400,
      /date range/,
    );
    await rejectsWith(
      api.load({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', dateRange: ['2024-02-30', '2024-03-01'] }] }),
      400,
      /2024-02-30/,
    );
  });

  test('a limit over the maximum', async () => {
    await rejectsWith(api.load({ measures: ['orders.count'], limit: 50001 }), 400, /limit 50001 is over the maximum 50000/);
  });

  test('missing token', async () => {
    const r = await load({ measures: ['orders.count'] }, { token: null });
    assert.equal(r.status, 403);
    assert.equal(r.json.error, "Authorization header isn't set");
    const anonymous = cube(undefined, { apiUrl: `${BASE}/cubejs-api/v1` });
    await rejectsWith(anonymous.load({ measures: ['orders.count'] }), 403, /Authorization header isn't set/);
  });

  test('expired token', async () => {
    const expired = sign({ sub: 'e2e', exp: now() - 3600 });
    await rejectsWith(cube(expired, { apiUrl: `${BASE}/cubejs-api/v1` }).load({ measures: ['orders.count'] }), 403, /Invalid token: the token expired/);
  });

  test('forged token and alg none', async () => {
    const forged = sign({ sub: 'admin' }, 'not-the-secret');
    const r = await load({ measures: ['orders.count'] }, { token: `Bearer ${forged}` });
    assert.equal(r.status, 403);
    assert.match(r.json.error, /signature verification failed/);
    const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url('{"sub":"admin"}')}.`;
    const n = await load({ measures: ['orders.count'] }, { token: none });
    assert.equal(n.status, 403);
    assert.match(n.json.error, /alg "none"/);
  });

  test('health probes need no token', async () => {
    const live = await http('/livez', { token: null });
    assert.equal(live.status, 200);
    assert.deepEqual(live.json, { health: 'HEALTH' });
    const ready = await http('/readyz', { token: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.json.health, 'HEALTH');
  });

  test('unknown route, wrong method, oversized body', async () => {
    const missing = await http('/cubejs-api/v1/nothing');
    assert.equal(missing.status, 404);
    assert.match(missing.json.error, /Not found/);
    const wrong = await http('/cubejs-api/v1/load', { method: 'DELETE' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, POST');
    const huge = JSON.stringify({ query: { measures: ['orders.count'] }, padding: 'x'.repeat(2 << 20) });
    const big = await http('/cubejs-api/v1/load', { method: 'POST', body: huge });
    assert.equal(big.status, 413);
    assert.match(big.json.error, /too large/);
  });

  test('the connection survives errors (keep-alive)', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await load({ measures: ['orders.nope'] })).status, 400);
      assert.equal((await load({ measures: ['orders.count'] })).status, 200);
    }
  });
});

describe('long polling: Continue wait', () => {
  const slowQuery = { measures: ['slow.count'], dimensions: ['slow.bucket'] };

  test('the raw answer is 200 {"error": "Continue wait"}', async () => {
    const token = sign({ sub: 'raw-poller' });
    const url = `${SLOW_BASE}/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['slow.count'] }))}`;
    const res = await fetch(url, { headers: { Authorization: token } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { error: 'Continue wait' });
    // Retrying the same request eventually gets the data.
    for (let i = 0; i < 600; i++) {
      const again = await (await fetch(url, { headers: { Authorization: token } })).json();
      if (again.error === 'Continue wait') continue;
      assert.deepEqual(again.data, [{ 'slow.count': '6' }]);
      return;
    }
    assert.fail('never finished');
  });

  test("the client's retries attach to the running query and get the answer", async () => {
    // continue_wait is 100 ms and the query takes far longer; were every retry
    // to start the query afresh, no attempt would ever finish in time.
    const progress = [];
    const started = Date.now();
    const [a, b] = await Promise.all([
      slowApi.load(slowQuery, { progressCallback: (p) => progress.push(p) }),
      slowApi.load(slowQuery),
    ]);
    const elapsed = Date.now() - started;
    assert.ok(progress.length >= 1, 'at least one "Continue wait" was seen');
    for (const rs of [a, b]) {
      const rows = byKey(rs.tablePivot(), 'slow.bucket');
      assert.deepEqual(Object.keys(rows).sort(), ['0', '1', '2']);
      for (const bucket of ['0', '1', '2']) assert.equal(rows[bucket]['slow.count'], '2');
    }
    assert.ok(elapsed < 120_000, `took ${elapsed} ms`);
  });
});
