// A FAKE Iceberg REST catalog, for strata's end-to-end tests only.
//
// strata's REST catalog client (src/lake/catalog/rest_catalog.cpp) needs a
// server to talk to, and no Iceberg REST catalog server can run here: none is
// packaged in Debian or published on npm (the real ones are JVM or Python
// services). This file is NOT such a server. It implements, from the Iceberg
// REST catalog OpenAPI spec, only the read side strata uses, with the error
// bodies and status codes of the spec, over tables kept in a folder:
//
//   GET  /v1/config[?warehouse=W]            defaults, overrides (prefix), endpoints
//   POST /v1/oauth/tokens                    OAuth2 client_credentials grant
//   GET  /v1/{prefix}/namespaces[?parent=P]  one level at a time (parts joined by %1F)
//   GET  /v1/{prefix}/namespaces/{ns}/tables
//   GET  /v1/{prefix}/namespaces/{ns}/tables/{table}   LoadTableResult
//
// Listings are paged as the spec says: only when the request carries a
// pageToken (an empty one starts), pageSize entries at a time (default
// --page-size), `next-page-token` null on the last page.
//
// Every route but the token endpoint needs "Authorization: Bearer T", where T
// is --token or a token the token endpoint issued and that has not expired
// (--token-ttl seconds): 401 otherwise (419 for an expired token), with an
// IcebergErrorResponse body. The token endpoint reports expires_in
// --expires-in (default: --token-ttl); a larger value makes tokens die before
// the client expects, as revoked tokens do.
//
// Tables: a folder holding metadata/ under WAREHOUSE_DIR is a table, the
// folders above it its namespace (a folder with no table beneath it is not a
// namespace). The current metadata file is chosen from version-hint.text, else
// the highest vN.metadata.json / NNNNN-<uuid>.metadata.json. The file is
// served verbatim (never re-serialized: JSON numbers in JavaScript would
// round 64-bit snapshot ids), with metadata-location
// "<its location>/metadata/<file>" as the original catalog would report it.
//
//   node fake_rest_catalog.mjs WAREHOUSE_DIR [--prefix P] [--warehouse W]
//        [--token T] [--client-id ID --client-secret S] [--token-ttl SECONDS]
//        [--expires-in SECONDS] [--page-size N]
//
// Listens on 127.0.0.1 on an ephemeral port and prints
// "fake-rest-catalog listening on http://127.0.0.1:PORT" on stdout; logs one
// line per request on stderr ("GET /v1/... -> 200").
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';

function parseArgs(argv) {
  const opts = {
    prefix: '',
    warehouse: '',
    token: '',
    clientId: '',
    clientSecret: '',
    tokenTtl: 3600,
    expiresIn: null,
    pageSize: 100,
  };
  const names = {
    '--prefix': 'prefix',
    '--warehouse': 'warehouse',
    '--token': 'token',
    '--client-id': 'clientId',
    '--client-secret': 'clientSecret',
    '--token-ttl': 'tokenTtl',
    '--expires-in': 'expiresIn',
    '--page-size': 'pageSize',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (names[a]) {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      opts[names[a]] = argv[++i];
    } else if (a.startsWith('--')) {
      throw new Error(`unknown option ${a}`);
    } else if (!opts.root) {
      opts.root = path.resolve(a);
    } else {
      throw new Error(`unexpected argument ${a}`);
    }
  }
  if (!opts.root) throw new Error('usage: fake_rest_catalog.mjs WAREHOUSE_DIR [options]');
  opts.tokenTtl = Number(opts.tokenTtl);
  opts.expiresIn = opts.expiresIn === null ? opts.tokenTtl : Number(opts.expiresIn);
  opts.pageSize = Number(opts.pageSize);
  if (!(opts.tokenTtl > 0) || !(opts.expiresIn > 0) || !(opts.pageSize > 0)) {
    throw new Error('--token-ttl, --expires-in and --page-size must be positive');
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---- the folder of tables ------------------------------------------------

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory(); // follows symbolic links
  } catch {
    return false;
  }
}

function subfolders(dir) {
  let names = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => !n.startsWith('.') && isDir(path.join(dir, n))).sort();
}

const isTable = (dir) => isDir(path.join(dir, 'metadata'));

// The folder of a namespace (an array of names), or null when it is none.
function namespaceDir(ns) {
  if (ns.length === 0) return opts.root;
  let dir = opts.root;
  for (const part of ns) {
    if (part === '' || part === '.' || part === '..' || part.includes('/')) return null;
    dir = path.join(dir, part);
    if (!isDir(dir) || isTable(dir)) return null;
  }
  return holdsTables(dir, 0) ? dir : null;
}

function holdsTables(dir, depth) {
  if (depth > 8) return false;
  return subfolders(dir).some((n) => {
    const sub = path.join(dir, n);
    return isTable(sub) || holdsTables(sub, depth + 1);
  });
}

function childNamespaces(ns) {
  const dir = namespaceDir(ns);
  return subfolders(dir)
    .filter((n) => {
      const sub = path.join(dir, n);
      return !isTable(sub) && holdsTables(sub, 0);
    })
    .map((n) => [...ns, n]);
}

function tablesIn(ns) {
  const dir = namespaceDir(ns);
  return subfolders(dir)
    .filter((n) => isTable(path.join(dir, n)))
    .map((n) => ({ namespace: ns, name: n }));
}

// "v12.metadata.json" -> 12, "00012-<uuid>.metadata.json" -> 12, else -1.
function versionOf(name) {
  const m = /^(?:v(\d+)|(\d+)-[^/]*?)(?:\.gz)?\.metadata\.json$/.exec(name);
  if (!m) return -1;
  return Number(m[1] ?? m[2]);
}

function currentMetadataFile(tableDir) {
  const metaDir = path.join(tableDir, 'metadata');
  const names = fs.readdirSync(metaDir);
  let hint = '';
  try {
    hint = fs.readFileSync(path.join(metaDir, 'version-hint.text'), 'utf8').trim();
  } catch {
    // no hint: the highest version below
  }
  if (hint) {
    const candidates = /^\d+$/.test(hint)
      ? [`v${hint}.metadata.json`, `v${hint}.gz.metadata.json`]
      : [`${hint}.metadata.json`];
    for (const c of candidates) if (names.includes(c)) return c;
  }
  let best = null;
  for (const n of names) {
    const v = versionOf(n);
    if (v >= 0 && (best === null || v > versionOf(best) || (v === versionOf(best) && n < best))) best = n;
  }
  return best;
}

// ---- HTTP ----------------------------------------------------------------

function send(res, status, body) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// The spec's IcebergErrorResponse.
function fail(res, status, type, message) {
  send(res, status, { error: { message, type, code: status } });
}

// Issued tokens: token -> expiry (ms since the epoch).
const issued = new Map();

function authorize(req, res) {
  const h = req.headers.authorization ?? '';
  const m = /^Bearer (.+)$/.exec(h);
  if (!m) {
    fail(res, 401, 'NotAuthorizedException', 'Authorization: Bearer <token> is required');
    return false;
  }
  const token = m[1];
  if (opts.token && token === opts.token) return true;
  const expiry = issued.get(token);
  if (expiry === undefined) {
    fail(res, 401, 'NotAuthorizedException', 'the bearer token is not valid');
    return false;
  }
  if (Date.now() >= expiry) {
    fail(res, 419, 'AuthenticationTimeoutException', 'the bearer token has expired');
    return false;
  }
  return true;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function token(req, res) {
  const oauthError = (status, error, description) =>
    send(res, status, { error, error_description: description });
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
  if (type !== 'application/x-www-form-urlencoded') {
    return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('grant_type') !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', `grant_type ${form.get('grant_type')} is not supported`);
  }
  let id = form.get('client_id') ?? '';
  let secret = form.get('client_secret') ?? '';
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    id = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  }
  if (!opts.clientId || id !== opts.clientId || secret !== opts.clientSecret) {
    return oauthError(401, 'invalid_client', `unknown client '${id}' or wrong client secret`);
  }
  const access = crypto.randomBytes(24).toString('hex');
  issued.set(access, Date.now() + opts.tokenTtl * 1000);
  send(res, 200, {
    access_token: access,
    token_type: 'bearer',
    expires_in: opts.expiresIn,
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
}

function config(url, res) {
  const warehouse = url.searchParams.get('warehouse');
  if (opts.warehouse && warehouse !== opts.warehouse) {
    return fail(res, 400, 'BadRequestException',
      warehouse === null ? 'this catalog needs ?warehouse=' + opts.warehouse : `unknown warehouse '${warehouse}'`);
  }
  const p = opts.prefix ? '{prefix}/' : '';
  send(res, 200, {
    defaults: {},
    overrides: opts.prefix ? { prefix: opts.prefix } : {},
    endpoints: [
      'GET /v1/{prefix}/namespaces',
      'GET /v1/{prefix}/namespaces/{namespace}/tables',
      'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
    ].map((e) => (p ? e : e.replace('{prefix}/', ''))),
  });
}

// A page of `items` as the spec's pagination rules say.
function page(url, items) {
  if (!url.searchParams.has('pageToken')) return { items, next: null };
  const tokenText = url.searchParams.get('pageToken');
  let start = 0;
  if (tokenText !== '') {
    start = Number(Buffer.from(tokenText, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(start) || start < 0) return null;
  }
  const size = url.searchParams.has('pageSize') ? Number(url.searchParams.get('pageSize')) : opts.pageSize;
  const end = start + Math.max(1, size);
  const next = end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : null;
  return { items: items.slice(start, end), next };
}

const splitNamespace = (text) => text.split('\x1f');

function catalog(url, parts, res) {
  // parts: the path segments after /v1[/prefix], still percent-encoded.
  const decoded = parts.map((p) => decodeURIComponent(p));
  if (decoded[0] !== 'namespaces') return fail(res, 404, 'NoSuchRouteException', `no route ${url.pathname}`);
  if (decoded.length === 1) {
    const parentText = url.searchParams.get('parent') ?? '';
    const parent = parentText === '' ? [] : splitNamespace(parentText);
    if (parent.length && !namespaceDir(parent)) {
      return fail(res, 404, 'NoSuchNamespaceException', `Namespace does not exist: ${parent.join('.')}`);
    }
    const p = page(url, childNamespaces(parent));
    if (!p) return fail(res, 400, 'BadRequestException', 'invalid pageToken');
    return send(res, 200, { namespaces: p.items, 'next-page-token': p.next });
  }
  const ns = splitNamespace(decoded[1]);
  if (!namespaceDir(ns)) {
    return fail(res, 404, 'NoSuchNamespaceException', `Namespace does not exist: ${ns.join('.')}`);
  }
  if (decoded.length === 2) {
    return send(res, 200, { properties: {}, namespace: ns });
  }
  if (decoded[2] !== 'tables' || decoded.length > 4) {
    return fail(res, 404, 'NoSuchRouteException', `no route ${url.pathname}`);
  }
  if (decoded.length === 3) {
    const p = page(url, tablesIn(ns));
    if (!p) return fail(res, 400, 'BadRequestException', 'invalid pageToken');
    return send(res, 200, { identifiers: p.items, 'next-page-token': p.next });
  }
  const name = decoded[3];
  const dir = path.join(namespaceDir(ns), name);
  if (name.includes('/') || name.startsWith('.') || !isDir(dir) || !isTable(dir)) {
    return fail(res, 404, 'NoSuchTableException', `Table does not exist: ${[...ns, name].join('.')}`);
  }
  const file = currentMetadataFile(dir);
  if (!file) return fail(res, 500, 'ServerError', `table ${[...ns, name].join('.')} has no metadata file`);
  let raw = fs.readFileSync(path.join(dir, 'metadata', file));
  if (file.endsWith('.gz.metadata.json')) raw = zlib.gunzipSync(raw);
  const text = raw.toString('utf8');
  const location = String(JSON.parse(text).location ?? '').replace(/\/+$/, '');
  const metadataLocation = `${location}/metadata/${file}`;
  // Built by hand so that the metadata reaches the client byte for byte.
  send(res, 200, `{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${text},"config":{}}`);
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const segments = url.pathname.split('/').slice(1);
  if (segments[0] !== 'v1') return fail(res, 404, 'NoSuchRouteException', `no route ${url.pathname}`);
  if (url.pathname === '/v1/oauth/tokens') {
    if (req.method !== 'POST') return fail(res, 405, 'MethodNotAllowedException', 'use POST');
    return token(req, res);
  }
  if (req.method !== 'GET') {
    return fail(res, 405, 'MethodNotAllowedException', `${req.method} is not supported by this fake`);
  }
  if (!authorize(req, res)) return;
  if (url.pathname === '/v1/config') return config(url, res);
  let rest = segments.slice(1);
  if (opts.prefix) {
    if (rest[0] !== opts.prefix) return fail(res, 404, 'NoSuchRouteException', `no route ${url.pathname}`);
    rest = rest.slice(1);
  }
  return catalog(url, rest, res);
}

const server = http.createServer((req, res) => {
  res.on('finish', () => process.stderr.write(`${req.method} ${req.url} -> ${res.statusCode}\n`));
  handle(req, res).catch((e) => {
    process.stderr.write(`error: ${e.stack}\n`);
    if (!res.headersSent) fail(res, 500, 'ServerError', String(e.message));
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`fake-rest-catalog listening on http://127.0.0.1:${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
