// End-to-end tests of the SQL API with node-postgres (the `pg` npm package)
// and raw sockets. run_pgwire.sh starts the servers and passes:
//   STRATA_PG_PORT        shop fixture, SCRAM users alice (flag) and bob (strata.yml), TLS
//   STRATA_PG_MD5_PORT    the same data, md5 authentication
//   STRATA_PG_PLAIN_PORT  the same data, cleartext password authentication
//   STRATA_PG_DEV_PORT    the same data, --dev without users (no password)
//   STRATA_PG_SLOW_PORT   test/e2e/slow_model, --dev
//   STRATA_URL, STRATA_SECRET  the REST API of the first server
// Expected answers are computed by hand from test/fixtures/shop/seed.sql.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import pg from 'pg';

const env = process.env;
const base = {
  host: '127.0.0.1',
  user: 'alice',
  password: env.STRATA_PG_PASSWORD,
  database: 'strata',
  connectionTimeoutMillis: 10000,
};
const port = Number(env.STRATA_PG_PORT);

async function withClient(config, fn) {
  const client = new pg.Client({ ...base, port, ...config });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function token() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'e2e', exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  const sig = crypto.createHmac('sha256', env.STRATA_SECRET).update(body).digest('base64url');
  return `${body}.${sig}`;
}

async function rest(query) {
  const res = await fetch(`${env.STRATA_URL}/cubejs-api/v1/load`, {
    method: 'POST',
    headers: { Authorization: token(), 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).data;
}

test('SCRAM login, a semantic query and its hand-computed answer', async () => {
  await withClient({}, async (c) => {
    const r = await c.query(
      "SELECT status, MEASURE(count), MEASURE(total_amount) FROM orders WHERE created_at >= '2024-01-01' GROUP BY 1 ORDER BY 3 DESC LIMIT 10");
    assert.deepEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [['status', 25], ['measure', 20], ['measure', 1700]]);
    assert.deepEqual(r.rows.map((x) => Object.values(x)), [['completed', '370.00'], ['pending', '65.00'], ['cancelled', '30.00']]);
    assert.equal(r.command, 'SELECT');
    assert.equal(r.rowCount, 3);
    const rows = await c.query('SELECT status, MEASURE(count) AS n FROM orders GROUP BY 1 ORDER BY 1');
    assert.deepEqual(rows.rows, [{ status: 'cancelled', n: '1' }, { status: 'completed', n: '3' }, { status: 'pending', n: '2' }]);
  });
});

test('the same questions over REST give the same answers', async () => {
  await withClient({}, async (c) => {
    const sql = await c.query('SELECT status, MEASURE(count) AS n, MEASURE(total_amount) AS t FROM orders GROUP BY 1 ORDER BY 1');
    const data = await rest({ measures: ['orders.count', 'orders.total_amount'], dimensions: ['orders.status'], order: [['orders.status', 'asc']] });
    assert.deepEqual(
      sql.rows.map((r) => [r.status, Number(r.n), Number(r.t)]),
      data.map((r) => [r['orders.status'], Number(r['orders.count']), Number(r['orders.total_amount'])]));
    const months = await c.query("SELECT DATE_TRUNC('month', created_at) AS m, COUNT(*) AS n FROM orders GROUP BY 1 ORDER BY 1");
    const byMonth = await rest({ measures: ['orders.count'], timeDimensions: [{ dimension: 'orders.created_at', granularity: 'month' }], order: [['orders.created_at', 'asc']] });
    assert.deepEqual(months.rows.map((r) => Number(r.n)), [3, 2, 1]);
    assert.deepEqual(byMonth.map((r) => Number(r['orders.count'])), [3, 2, 1]);
    assert.deepEqual(months.rows.map((r) => r.m.toISOString().slice(0, 7)), ['2024-01', '2024-02', '2024-03']);
  });
});

test('prepared statements with parameters, reused', async () => {
  await withClient({}, async (c) => {
    const q = { name: 'by-status', text: 'SELECT MEASURE(count) AS n, MEASURE(total_amount) AS t FROM orders WHERE status = $1' };
    const want = { completed: ['3', '370.00'], pending: ['2', '65.00'], cancelled: ['1', '30.00'] };
    for (const [status, [n, t]] of Object.entries(want)) {
      const r = await c.query({ ...q, values: [status] });
      assert.deepEqual(r.rows, [{ n, t }]);
    }
    const range = await c.query('SELECT status FROM orders WHERE amount BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1', [20, 60]);
    assert.deepEqual(range.rows.map((r) => r.status), ['cancelled', 'pending']);
    const limit = await c.query('SELECT status, amount FROM orders WHERE amount > $1 ORDER BY amount DESC LIMIT $2', [10, 2]);
    assert.deepEqual(limit.rows.map((r) => r.amount), ['200.00', '100.00']);
    const time = await c.query('SELECT COUNT(*) AS n FROM orders WHERE created_at >= $1 AND created_at < $2', ['2024-02-01', '2024-03-01']);
    assert.equal(time.rows[0].n, '2');
  });
});

test('binary results: int8, numeric, text, timestamp, bool', async () => {
  await withClient({}, async (c) => {
    const r = await c.query({ text: 'SELECT status, MEASURE(count) AS n, MEASURE(total_amount) AS t FROM orders WHERE status = $1 GROUP BY 1', values: ['completed'], binary: true });
    assert.equal(r.rows[0].status, 'completed');
    assert.equal(String(r.rows[0].n), '3');
    assert.equal(Number(r.rows[0].t), 370);
    const t = await c.query({ text: "SELECT DATE_TRUNC('month', created_at) AS m FROM orders GROUP BY 1 ORDER BY 1 LIMIT 1", binary: true });
    assert.equal(t.rows[0].m.getTime(), Date.UTC(2024, 0, 1) + new Date(2024, 0, 1).getTimezoneOffset() * 60000);
    const b = await c.query({ text: 'SELECT is_big FROM orders WHERE id = $1', values: [1], binary: true });
    assert.equal(b.rows[0].is_big, true);
  });
});

test('richer SQL: subqueries, CTEs, window functions, UNION, CASE', async () => {
  await withClient({}, async (c) => {
    const w = await c.query('SELECT status, c, rank() OVER (ORDER BY c DESC) AS r FROM (SELECT status, MEASURE(count) AS c FROM orders GROUP BY 1) t ORDER BY r');
    assert.deepEqual(w.rows.map((x) => [x.status, Number(x.c), Number(x.r)]), [['completed', 3, 1], ['pending', 2, 2], ['cancelled', 1, 3]]);
    const cte = await c.query('WITH s AS (SELECT status, SUM(total_amount) AS t FROM orders GROUP BY 1) SELECT SUM(t) AS total, COUNT(*) AS n FROM s');
    assert.equal(Number(cte.rows[0].total), 465);
    assert.equal(Number(cte.rows[0].n), 3);
    const u = await c.query('SELECT city AS x FROM users GROUP BY 1 UNION ALL SELECT category FROM products GROUP BY 1 ORDER BY 1');
    assert.deepEqual(u.rows.map((x) => x.x), ['Los Angeles', 'New York', 'San Francisco', 'digital', 'hardware']);
    const k = await c.query("SELECT CASE WHEN MEASURE(count) > 1 THEN 'many' ELSE 'one' END AS k, COUNT(*) AS n FROM orders GROUP BY status ORDER BY 2");
    assert.equal(k.rows.length, 3);
  });
});

test('catalog: tables, columns and types as PostgreSQL reports them', async () => {
  await withClient({}, async (c) => {
    const t = await c.query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    assert.deepEqual(t.rows.map((r) => [r.table_name, r.table_type]), [
      ['line_items', 'BASE TABLE'], ['orders', 'BASE TABLE'], ['products', 'BASE TABLE'], ['sales', 'VIEW'], ['users', 'BASE TABLE']]);
    const cols = await c.query("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position");
    assert.deepEqual(cols.rows.map((r) => [r.column_name, r.data_type]), [
      ['id', 'numeric'], ['name', 'text'], ['city', 'text'], ['created_at', 'timestamp without time zone'], ['count', 'bigint'], ['new_yorkers', 'boolean']]);
    const attrs = await c.query("SELECT a.attname, a.atttypid FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 'orders' AND a.attnum > 0 ORDER BY a.attnum LIMIT 2");
    assert.deepEqual(attrs.rows.map((r) => [r.attname, Number(r.atttypid)]), [['id', 1700], ['status', 25]]);
    const empty = await c.query('SELECT * FROM orders LIMIT 0');
    assert.equal(empty.rows.length, 0);
    assert.deepEqual(empty.fields.slice(0, 3).map((f) => [f.name, f.dataTypeID]), [['id', 1700], ['status', 25], ['created_at', 1114]]);
    const v = await c.query('SELECT version(), current_user, current_database()');
    assert.match(v.rows[0].version, /^PostgreSQL 15/);
    assert.equal(v.rows[0].current_user, 'alice');
  });
});

test('errors carry SQLSTATE, position and hint; the connection stays usable', async () => {
  await withClient({}, async (c) => {
    await assert.rejects(c.query('SELECT nope FROM orders'), (e) => e.code === '42703' && e.position === '8');
    await assert.rejects(c.query('SELECT * FROM nowhere'), (e) => e.code === '42P01');
    await assert.rejects(c.query('SELEC 1'), (e) => e.code === '42601' && e.position === '1');
    await assert.rejects(c.query('SELECT SUM(count) FROM orders'), (e) => e.code === '0A000' && /MEASURE/.test(e.hint));
    await assert.rejects(c.query('DELETE FROM orders'), (e) => e.code === '25006');
    await assert.rejects(c.query({ name: 'bad', text: 'SELECT MEASURE(count) FROM orders WHERE amount > $1', values: ['abc'] }), (e) => e.code.length === 5);
    await c.query('BEGIN');
    await assert.rejects(c.query('SELECT nope FROM orders'), (e) => e.code === '42703');
    await assert.rejects(c.query('SELECT 1'), (e) => e.code === '25P02');
    await c.query('ROLLBACK');
    const r = await c.query('SELECT MEASURE(count) AS n FROM orders');
    assert.equal(r.rows[0].n, '6');
  });
});

test('users from strata.yml, md5 and cleartext passwords, wrong passwords, TLS', async () => {
  await withClient({ user: 'bob', password: 'bob-secret' }, async (c) => {
    const r = await c.query('SELECT current_user AS u, MEASURE(count) AS n FROM orders');
    assert.deepEqual(r.rows, [{ u: 'bob', n: '6' }]);
  });
  for (const p of [env.STRATA_PG_MD5_PORT, env.STRATA_PG_PLAIN_PORT]) {
    await withClient({ port: Number(p) }, async (c) => {
      const r = await c.query('SELECT MEASURE(count) AS n FROM orders');
      assert.equal(r.rows[0].n, '6');
    });
    await assert.rejects(withClient({ port: Number(p), password: 'wrong' }, async () => {}), (e) => e.code === '28P01');
  }
  await assert.rejects(withClient({ password: 'wrong' }, async () => {}), (e) => e.code === '28P01');
  await assert.rejects(withClient({ user: 'mallory' }, async () => {}), (e) => e.code === '28P01');
  await withClient({ ssl: { rejectUnauthorized: false } }, async (c) => {
    const r = await c.query('SELECT MEASURE(count) AS n FROM orders');
    assert.equal(r.rows[0].n, '6');
  });
});

test('50 simultaneous connections', async () => {
  const clients = Array.from({ length: 50 }, () => new pg.Client({ ...base, port }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const results = await Promise.all(clients.map((c, i) =>
      c.query('SELECT status, MEASURE(count) AS n FROM orders WHERE amount > $1 GROUP BY 1 ORDER BY 1', [i % 2 ? 0 : 60])));
    results.forEach((r, i) => {
      const want = i % 2 ? [['cancelled', '1'], ['completed', '3'], ['pending', '2']] : [['completed', '3']];
      assert.deepEqual(r.rows.map((x) => [x.status, x.n]), want);
    });
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
});

// --- Malformed bytes ------------------------------------------------------------------

function startup(user) {
  const params = Buffer.from(`user\0${user}\0database\0strata\0\0`);
  const b = Buffer.alloc(8 + params.length);
  b.writeInt32BE(b.length, 0);
  b.writeInt32BE(196608, 4);
  params.copy(b, 8);
  return b;
}

function message(type, body) {
  const b = Buffer.alloc(5 + body.length);
  b.write(type, 0);
  b.writeInt32BE(4 + body.length, 1);
  body.copy(b, 5);
  return b;
}

// Sends `chunks` on a raw socket and resolves with what came back once the
// server closes the connection (or `ms` pass).
function raw(p, chunks, { ms = 5000, end = false } = {}) {
  return new Promise((resolve) => {
    const s = net.connect(p, '127.0.0.1');
    const got = [];
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve({ how, data: Buffer.concat(got) });
    };
    s.on('data', (d) => got.push(d));
    s.on('close', () => finish('closed'));
    s.on('error', () => finish('error'));
    s.on('connect', () => {
      for (const c of chunks) s.write(c);
      if (end) s.end();
    });
    setTimeout(() => finish('timeout'), ms);
  });
}

async function stillServing() {
  await withClient({}, async (c) => {
    const r = await c.query('SELECT MEASURE(count) AS n FROM orders');
    assert.equal(r.rows[0].n, '6');
  });
}

function errorCode(buf) {
  // The first ErrorResponse's SQLSTATE ('C' field), or ''.
  for (let i = 0; i + 5 <= buf.length;) {
    const type = String.fromCharCode(buf[i]);
    const len = buf.readInt32BE(i + 1);
    if (type === 'E') {
      const body = buf.subarray(i + 5, i + 1 + len).toString();
      const m = body.match(/C([0-9A-Z]{5})/);
      return m ? m[1] : '';
    }
    i += 1 + len;
  }
  return '';
}

test('malformed bytes close only their own connection', async () => {
  const dev = Number(env.STRATA_PG_DEV_PORT);
  // Garbage instead of a startup packet (an HTTP request).
  let r = await raw(port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  assert.equal(r.how, 'closed');
  assert.equal(errorCode(r.data), '08P01');
  await stillServing();
  // An absurd startup length.
  const absurd = Buffer.alloc(8);
  absurd.writeInt32BE(0x7fffffff, 0);
  absurd.writeInt32BE(196608, 4);
  r = await raw(port, [absurd]);
  assert.equal(r.how, 'closed');
  await stillServing();
  // A truncated startup packet, then the client vanishes.
  r = await raw(port, [startup('alice').subarray(0, 10)], { end: true });
  assert.notEqual(r.how, 'timeout');
  await stillServing();
  // After a good login (dev server, no password): an unknown message type,
  // an absurd message length, a truncated Bind, a Bind with a bogus count.
  const ready = (data) => data.includes(Buffer.from('Z\0\0\0\x05I'));
  r = await raw(dev, [startup('x'), Buffer.from('\x7fgarbage')]);
  assert.ok(ready(r.data));
  assert.equal(r.how, 'closed');
  assert.equal(errorCode(r.data), '08P01');
  const huge = Buffer.alloc(5);
  huge.write('Q', 0);
  huge.writeInt32BE(0x7ffffff0, 1);
  r = await raw(dev, [startup('x'), huge]);
  assert.equal(r.how, 'closed');
  assert.equal(errorCode(r.data), '08P01');
  const bind = Buffer.concat([Buffer.from('\0\0'), Buffer.from([0, 0, 0x7f, 0xff])]);
  r = await raw(dev, [startup('x'), message('B', bind)]);
  assert.equal(r.how, 'closed');
  assert.equal(errorCode(r.data), '08P01');
  r = await raw(dev, [startup('x'), message('Q', Buffer.from('SELECT 1'))]);  // no terminator
  assert.equal(r.how, 'closed');
  // A message cut short by the client closing.
  r = await raw(dev, [startup('x'), Buffer.from('Q\0\0\0\x20SELE')], { end: true });
  assert.notEqual(r.how, 'timeout');
  // A client that vanishes in the middle of a slow query.
  r = await raw(Number(env.STRATA_PG_SLOW_PORT), [startup('x'), message('Q', Buffer.from('SELECT MEASURE(count) FROM slow\0'))], { ms: 300 });
  assert.equal(r.how, 'timeout');
  await stillServing();
  await withClient({ port: dev, user: 'anyone', password: undefined }, async (c) => {
    const q = await c.query('SELECT MEASURE(count) AS n FROM orders');
    assert.equal(q.rows[0].n, '6');
  });
});
