// The result cache and pre-aggregations over REST (run by run_cache.sh).
// STRATA_URL: in-memory cache and a refresh worker building orders.by_day;
// STRATA_NODE_A / STRATA_NODE_B: two nodes sharing a Redis cache.
// Expected numbers are the shop fixture's (test/fixtures/shop/seed.sql):
// completed 3 orders / 370.00, pending 2 / 65.00, cancelled 1 / 30.00;
// January 2024 3 orders, February 2, March 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import cube from '@cubejs-client/core';

const BASE = process.env.STRATA_URL;
const NODE_A = process.env.STRATA_NODE_A;
const NODE_B = process.env.STRATA_NODE_B;
const SECRET = process.env.STRATA_SECRET;
assert.ok(BASE && NODE_A && NODE_B && SECRET, 'run through run_cache.sh');

function sign(payload) {
  const b64 = (t) => Buffer.from(t).toString('base64url');
  const input = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(payload))}`;
  return `${input}.${crypto.createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const TOKEN = sign({ sub: 'e2e', iat: now(), exp: now() + 3600 });

async function http(base, path, { method = 'GET', body } = {}) {
  const headers = { Authorization: TOKEN };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) };
}
const load = (base, query) =>
  http(base, '/cubejs-api/v1/load', { method: 'POST', body: JSON.stringify({ query }) });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const byStatus = {
  measures: ['orders.count', 'orders.total_amount'],
  dimensions: ['orders.status'],
  order: { 'orders.status': 'asc' },
};
const expectedByStatus = [
  { 'orders.status': 'cancelled', 'orders.count': '1', 'orders.total_amount': '30.00' },
  { 'orders.status': 'completed', 'orders.count': '3', 'orders.total_amount': '370.00' },
  { 'orders.status': 'pending', 'orders.count': '2', 'orders.total_amount': '65.00' },
];

async function waitBuilt(name) {
  for (let i = 0; i < 150; i++) {
    const r = await http(BASE, '/cubejs-api/v1/pre-aggregations');
    const p = r.json.preAggregations.find((x) => x.id === name);
    if (p && p.status === 'built') return p;
    await sleep(200);
  }
  assert.fail(`${name} was never built`);
}

test('the second identical query comes from the cache', async () => {
  // A query no rollup answers (users.city), so only the result cache is involved.
  const q = { measures: ['orders.count'], dimensions: ['users.city'], order: { 'users.city': 'asc' } };
  const first = await load(BASE, q);
  assert.equal(first.status, 200);
  const second = await load(BASE, q);
  assert.equal(second.json.fromCache, true);
  assert.deepEqual(second.json.data, first.json.data);
  assert.equal(second.json.lastRefreshTime, first.json.lastRefreshTime);
  assert.equal(second.json.refreshKeyValues.length, 2); // orders and users
});

test('renewQuery runs the query again and refreshes the entry', async () => {
  const q = { measures: ['orders.count'], dimensions: ['users.city'], order: { 'users.city': 'asc' } };
  await load(BASE, q);
  const renewed = await load(BASE, { ...q, renewQuery: true });
  assert.equal(renewed.json.fromCache, false);
  const after = await load(BASE, q);
  assert.equal(after.json.fromCache, true);
  assert.equal(after.json.lastRefreshTime, renewed.json.lastRefreshTime);
});

test('the pre-aggregation list shows the built rollup', async () => {
  const p = await waitBuilt('orders.by_day');
  assert.equal(p.type, 'rollup');
  assert.equal(p.cube, 'orders');
  assert.equal(p.preAggregation.granularity, 'day');
  assert.equal(p.preAggregation.partitionGranularity, 'month');
  assert.deepEqual(p.partitions.map((x) => x.name), ['20240101', '20240201', '20240301']);
  assert.equal(p.partitions[0].rangeStart, '2024-01-01T00:00:00.000');
  assert.equal(p.partitions[0].rangeEnd, '2024-01-31T23:59:59.999');
  assert.ok(p.sizeBytes > 0);
  assert.ok(p.rows >= 6);
  assert.match(p.tableName, /^preaggs\.orders_by_day_/);
  assert.ok(p.lastRefreshAt);
});

test('a rollup answers, and the response says which one', async () => {
  await waitBuilt('orders.by_day');
  const r = await load(BASE, { ...byStatus, renewQuery: true });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data, expectedByStatus);
  assert.equal(r.json.external, true);
  const used = Object.values(r.json.usedPreAggregations);
  assert.equal(used.length, 1);
  assert.equal(used[0].preAggregation, 'orders.by_day');
  assert.match(used[0].targetTableName, /^preaggs\.orders_by_day_/);
  assert.ok(Array.isArray(used[0].refreshKeyValues));
  assert.ok(used[0].lastUpdatedAt > 0);
  assert.equal(r.json.dataSource, 'default');

  // Months from the day rollup, through Cube's own client.
  const api = cube(TOKEN, { apiUrl: `${BASE}/cubejs-api/v1` });
  const rs = await api.load({
    measures: ['orders.count'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
  });
  assert.deepEqual(rs.tablePivot().map((row) => row['orders.count']), ['3', '2', '1']);
  assert.equal(Object.keys(rs.loadResponses[0].usedPreAggregations).length, 1);
});

test('a used rollup is loaded into memory and answers the same from there', async () => {
  await waitBuilt('orders.by_day');
  await load(BASE, { ...byStatus, renewQuery: true }); // the first use queues the load
  let p;
  for (let i = 0; i < 100; i++) {
    const list = await http(BASE, '/cubejs-api/v1/pre-aggregations');
    p = list.json.preAggregations.find((x) => x.id === 'orders.by_day');
    if (p.inMemory) break;
    await sleep(100);
  }
  assert.equal(p.inMemory, true);
  const r = await load(BASE, { ...byStatus, renewQuery: true });
  assert.deepEqual(r.json.data, expectedByStatus);
  assert.equal(Object.values(r.json.usedPreAggregations)[0].preAggregation, 'orders.by_day');
});

test('a query no rollup can answer falls back to the source', async () => {
  const r = await load(BASE, {
    measures: ['orders.count'],
    timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }],
    timezone: 'America/New_York',
    renewQuery: true,
  });
  assert.deepEqual(r.json.usedPreAggregations, {});
  assert.equal(r.json.external, false);
  // o6 (2024-01-01 00:30 UTC) is December 2023 in New York.
  assert.deepEqual(r.json.data.map((row) => row['orders.count']), ['1', '2', '2', '1']);
});

test('jobs build on request and report their status', async () => {
  await waitBuilt('orders.by_day');
  const posted = await http(BASE, '/cubejs-api/v1/pre-aggregations/jobs', {
    method: 'POST',
    body: JSON.stringify({
      action: 'post',
      selector: { contexts: [{ securityContext: {} }], timezones: ['UTC'], preAggregations: ['orders.by_day'] },
    }),
  });
  assert.equal(posted.status, 200);
  assert.equal(posted.json.length, 1);
  let job;
  for (let i = 0; i < 100; i++) {
    const got = await http(BASE, '/cubejs-api/v1/pre-aggregations/jobs', {
      method: 'POST',
      body: JSON.stringify({ action: 'get', tokens: posted.json }),
    });
    job = got.json[0];
    if (job.status === 'done' || job.status === 'missing_partition') break;
    await sleep(100);
  }
  assert.equal(job.status, 'done');
  assert.equal(job.token, posted.json[0]);
  assert.deepEqual(job.selector.preAggregations, ['orders.by_day']);
  assert.match(job.table, /^preaggs\.orders_by_day_/);
  const none = await http(BASE, '/cubejs-api/v1/pre-aggregations/jobs', {
    method: 'POST',
    body: JSON.stringify({ action: 'post', selector: { preAggregations: ['orders.nothing'] } }),
  });
  assert.equal(none.status, 400);
});

test('two nodes share the Redis cache', async () => {
  const q = { measures: ['orders.count'], dimensions: ['users.city'], order: { 'users.city': 'asc' } };
  const a = await load(NODE_A, q);
  assert.equal(a.json.fromCache, false);
  const b = await load(NODE_B, q);
  assert.equal(b.json.fromCache, true);
  assert.deepEqual(b.json.data, a.json.data);
});

test('Redis down: answers keep coming, with a warning in the log', async () => {
  execSync(process.env.STRATA_REDIS_KILL);
  for (let i = 0; i < 3; i++) {
    const r = await load(NODE_A, byStatus);
    assert.equal(r.status, 200);
    assert.equal(r.json.fromCache, false);
    assert.deepEqual(r.json.data, expectedByStatus);
  }
  const log = fs.readFileSync(process.env.STRATA_NODE_A_LOG, 'utf8');
  assert.match(log, /result cache: .*answering without the shared cache/);
});
