// An iceberg data source behind the REST API (run by run_lake_rest.sh).
// The table holds hour i of 2024 (i = 0..479) with id i, kind i % 4 and
// amount i, written in two appends of 240 rows; the first snapshot's id is
// STRATA_FIRST_SNAPSHOT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import cubejs from '@cubejs-client/core';
import pg from 'pg';

const url = process.env.STRATA_URL;
const token = process.env.STRATA_TOKEN;
const first = process.env.STRATA_FIRST_SNAPSHOT;
const sumTo = (n) => (n * (n - 1)) / 2;

async function get(path, auth = true) {
  const res = await fetch(url + path, { headers: auth ? { Authorization: token } : {} });
  return { status: res.status, body: await res.json() };
}

async function load(query) {
  const res = await fetch(url + '/cubejs-api/v1/load', {
    method: 'POST',
    headers: { Authorization: token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}

test('the cube over the lake table counts and sums every row', async () => {
  const { status, body } = await load({ measures: ['events.count', 'events.amount'] });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(Number(body.data[0]['events.count']), 480);
  assert.equal(Number(body.data[0]['events.amount']), sumTo(480));
});

test('a day of data through the Cube client', async () => {
  const api = cubejs(token, { apiUrl: url + '/cubejs-api/v1' });
  const rs = await api.load({
    measures: ['events.count', 'events.amount'],
    timeDimensions: [{ dimension: 'events.ts', dateRange: ['2024-01-03', '2024-01-03'] }],
  });
  const row = rs.tablePivot()[0];
  assert.equal(Number(row['events.count']), 24);
  assert.equal(Number(row['events.amount']), sumTo(72) - sumTo(48)); // hours 48..71
});

test('asOf reads an earlier snapshot, and is echoed', async () => {
  for (const asOf of [{ snapshotId: first }, `snapshot:${first}`]) {
    const { status, body } = await load({ measures: ['events.count'], asOf });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(Number(body.data[0]['events.count']), 240);
    assert.equal(body.query.asOf, `snapshot:${first}`);
  }
  const main = await load({ measures: ['events.count'], asOf: { ref: 'main' } });
  assert.equal(Number(main.body.data[0]['events.count']), 480);
  const future = await load({ measures: ['events.count'], asOf: { timestamp: '2999-01-01T00:00:00Z' } });
  assert.equal(Number(future.body.data[0]['events.count']), 480);
  const past = await load({ measures: ['events.count'], asOf: { timestamp: '2000-01-01T00:00:00Z' } });
  assert.equal(past.status, 404, JSON.stringify(past.body));
  const bad = await load({ measures: ['events.count'], asOf: 'snapshot:abc' });
  assert.equal(bad.status, 400);
});

test('the lake admin API lists sources, namespaces and tables', async () => {
  const sources = await get('/api/v1/lake');
  assert.equal(sources.status, 200);
  assert.deepEqual(sources.body.sources.map((s) => s.name), ['lake']);
  const ns = await get('/api/v1/lake/lake/namespaces');
  assert.deepEqual(ns.body.namespaces.map((n) => n.name).sort(), ['fixtures', 'shop']);
  const tables = await get('/api/v1/lake/lake/namespaces/shop/tables');
  assert.deepEqual(tables.body.tables.map((t) => t.table), ['shop.events']);
  const denied = await get('/api/v1/lake/lake/namespaces', false);
  assert.equal(denied.status, 403);
});

test('a table report: schema, specs, snapshots, refs and counts', async () => {
  const { status, body } = await get('/api/v1/lake/lake/tables/shop.events');
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(body.schema.fields.map((f) => f.name), ['id', 'ts', 'kind', 'amount']);
  assert.equal(body.partitionSpecs[0].fields[0].transform, 'day');
  assert.equal(body.snapshots.length, 2);
  assert.equal(body.snapshots[0].summary['added-records'], '240');
  assert.equal(body.refs[0].name, 'main');
  assert.equal(body.counts.rows, 480);
  assert.equal(body.counts.dataFiles, 20);
  const old = await get(`/api/v1/lake/lake/tables/shop.events?asOf=snapshot:${first}`);
  assert.equal(old.body.counts.rows, 240);
  // A table of the shared fixtures, with position deletes (MANIFEST.md: 10 rows).
  const fx = await get('/api/v1/lake/lake/tables/fixtures.dangling_deletes');
  assert.equal(fx.body.counts.rows, 10);
  assert.equal(fx.body.counts.records, 10);
  assert.equal(fx.body.snapshots.length, 7);
  const missing = await get('/api/v1/lake/lake/tables/shop.nope');
  assert.equal(missing.status, 404);
});

test('the SQL API reads as of a snapshot with SET strata.as_of', async () => {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: Number(process.env.STRATA_PG_PORT),
    user: 'lake',
    password: process.env.STRATA_PG_PASSWORD,
    database: 'strata',
  });
  await client.connect();
  try {
    const count = async () =>
      Number((await client.query('SELECT MEASURE(count) AS n FROM events')).rows[0].n);
    assert.equal(await count(), 480);
    await client.query(`SET strata.as_of = 'snapshot:${first}'`);
    assert.equal((await client.query('SHOW strata.as_of')).rows[0]['strata.as_of'],
      `snapshot:${first}`);
    assert.equal(await count(), 240); // the first append only
    await client.query(`SET strata.as_of = 'ref:main'`);
    assert.equal(await count(), 480);
    await assert.rejects(client.query(`SET strata.as_of = 'snapshot:'`), (e) => {
      assert.equal(e.code, '22023');
      assert.match(e.message, /strata\.as_of/);
      return true;
    });
    await client.query(`SET strata.as_of = ''`);
    assert.equal(await count(), 480);
  } finally {
    await client.end();
  }
});
