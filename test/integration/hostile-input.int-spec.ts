// Property-based: generated hostile requests (bodies, query strings, path segments, headers,
// encodings) at every route of every running service, and the properties SPEC §9 promises:
// never a 5xx, always the §9 error body on a 4xx (plain `failure` on the Alipay webhook), and
// nothing stored changes on a refused request.
import fc from 'fast-check';
import Redis from 'ioredis';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { notificationFor, signNotification } from '../support/alipay';
import {
  buyerWithAddress,
  buyNow,
  createSku,
  DEFAULT_ADDRESS,
  INTERNAL_TOKEN,
  registerAndLogin,
  startSystem,
  TestSystem,
} from '../support/system';
import { contractViolations, http } from '@shop/shared/testing';

/** Kept modest for the default suite; raise it (HOSTILE_RUNS=2000) when hunting. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 400);
const RAW_RUNS = Math.ceil(RUNS / 5);

type Target = 'user' | 'cart' | 'inventory' | 'order' | 'payment' | 'sandbox';
interface Route {
  target: Target;
  method: string;
  path: string; // OpenAPI template, e.g. /cart/items/{skuId}
  query: string[];
}
interface Reply {
  status: number;
  type: string;
  text: string;
  correlationId: string | undefined;
}

const HOSTILE_SEGMENTS = [
  '0',
  '-1',
  '1.5',
  '2147483648',
  '9999999999',
  '99999999999999999999',
  '0x10',
  '1e1',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%F0%9F%98%80',
  '%2e%2e',
  'a'.repeat(300),
  '..',
];
const HOSTILE_QUERY_VALUES = [...HOSTILE_SEGMENTS, ' 1', '1 ', '+1', '', '0o7', '\u0663', '1,2,2147483648', '1,,2'];
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
const HOSTILE_STRINGS: string[] = [
  '',
  '1',
  // Variation selectors: validator.js leaves them out of a length, PostgreSQL counts them.
  'a\uFE0F'.repeat(40),
  'a\uFE0F'.repeat(150),
  'a\uFE0F'.repeat(200),
  '\u{1F600}'.repeat(70),
  'x'.repeat(300),
  'nul\u0000',
  '\ud800',
  ' ',
];
const HOSTILE_OTHER_VALUES: unknown[] = [-1, 0, 1.5, 1e30, 2147483648, 9999999999, '2', [], {}, true, [[[[1]]]]];
const NUMERIC_QUERY = new Set(['skuId', 'quantity', 'page', 'pageSize']);

/** Mostly a string safe to put in a URL raw; otherwise percent-encoded (Node refuses raw spaces). */
function urlPart(value: string): string {
  return /^[\x21-\x7e]*$/.test(value) && !/[/?#&=]/.test(value) ? value : encodeURIComponent(value);
}

function send(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      { method, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            correlationId: res.headers['x-correlation-id'] as string | undefined,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a socket (`Connection: close`), for what no well-behaved client library would send. */
function sendRaw(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    // Far beyond the system's request timeout: an unanswered socket is reported, not waited for.
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    // Not end(): a half-closed client makes Node abort the request before it is answered.
    socket.on('connect', () => socket.write(request));
  });
}

/**
 * HOSTILE_SURVEY=1 records every violated property and reports them grouped at the end (how this
 * test was checked against the code before issue 10's fixes); normally the first one fails the run
 * and fast-check reports its counterexample.
 */
const SURVEY = process.env.HOSTILE_SURVEY === '1';
const violations: Array<{ property: string; label: string }> = [];
function holds(property: string, ok: boolean, label: string): void {
  if (ok) {
    return;
  }
  if (SURVEY) {
    violations.push({ property, label });
    return;
  }
  expect({ property, label, holds: ok }).toEqual({ property, label, holds: true });
}

function isErrorBody(reply: Reply): boolean {
  try {
    const body = JSON.parse(reply.text) as { error?: Record<string, unknown> };
    const e = body.error;
    return (
      reply.type.startsWith('application/json') &&
      !!e &&
      typeof e.code === 'string' &&
      typeof e.message === 'string' &&
      typeof e.correlationId === 'string' &&
      e.correlationId === reply.correlationId
    );
  } catch {
    return false;
  }
}

describe('hostile input, generated (fast-check): no 5xx, §9 bodies, nothing stored on refusal', () => {
  let sys: TestSystem;
  let routes: Route[];
  let routePool: Route[];
  let base: Record<Target, string>;
  let dbs: Client[];
  let redis: Redis;
  let known: {
    cartSkuId: number;
    skuId: number;
    userId: number;
    addressId: number;
    orderSn: string;
    amount: number;
    token: string;
    username: string;
  };
  let spareLogin: { username: string };

  beforeAll(async () => {
    sys = await startSystem(
      ['user', 'inventory', 'cart', 'order', 'payment'],
      {
        // Short, so that generated requests that never finish (a chunked body with no chunks) cost little.
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        ORDER_TIMEOUT_JOB_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
      },
      { sandbox: { timeScale: 0.0001 } },
    );
    base = { ...sys.url, sandbox: sys.sandboxUrl! };
    const buyer = await buyerWithAddress(sys.url.user);
    const sku = await createSku(sys.url.inventory, { price: 500, stock: 1000 });
    const { submit } = await buyNow(sys, buyer, sku.id, 1);
    expect(submit.status).toBe(201);
    const orderSn = submit.body.orderSn as string;
    const payment = await http('POST', `${sys.url.payment}/payments`, { token: buyer.token, body: { orderSn } });
    expect(payment.status).toBe(201);
    expect((await fetch(payment.body.payUrl)).status).toBe(200); // the trade exists in the sandbox
    // An item in the buyer's cart (not the ordered SKU, which OrderCreated takes out of the cart).
    const inCart = await createSku(sys.url.inventory, { price: 700, stock: 1000 });
    expect((await http('POST', `${sys.url.cart}/cart/items`, { token: buyer.token, body: { skuId: inCart.id, quantity: 1 } })).status).toBe(
      200,
    );
    known = {
      cartSkuId: inCart.id,
      skuId: sku.id,
      userId: buyer.id,
      addressId: buyer.addressId,
      orderSn,
      amount: 500,
      token: buyer.token,
      username: buyer.username,
    };
    spareLogin = { username: (await registerAndLogin(sys.url.user)).username };

    routes = [];
    for (const target of ['user', 'cart', 'inventory', 'order', 'payment'] as const) {
      const doc = (await http('GET', `${sys.url[target]}/docs-json`)).body as {
        paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>>;
      };
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          routes.push({ target, method: method.toUpperCase(), path, query });
        }
      }
    }
    // The documents include Alipay's webhook and return page; the sandbox tool has none.
    expect(routes).toEqual(
      expect.arrayContaining([
        { target: 'payment', method: 'POST', path: '/payments/alipay/notify', query: [] },
        { target: 'payment', method: 'GET', path: '/payments/alipay/return', query: expect.arrayContaining(['out_trade_no', 'sign']) },
      ]),
    );
    routes.push(
      { target: 'sandbox', method: 'GET', path: '/sandbox/trades/{outTradeNo}', query: [] },
      { target: 'sandbox', method: 'GET', path: '/sandbox/cashier/{outTradeNo}', query: [] },
      { target: 'sandbox', method: 'POST', path: '/sandbox/trades/{outTradeNo}/pay', query: [] },
      { target: 'sandbox', method: 'GET', path: '/gateway.do', query: ['method', 'app_id', 'sign', 'biz_content'] },
    );
    expect(routes.length).toBeGreaterThan(30);
    // Routes that take a body or a query get more of the runs than /health or /docs.
    routePool = routes.flatMap((r) => (r.query.length > 0 || ['POST', 'PATCH', 'PUT'].includes(r.method) ? [r, r, r] : [r]));

    dbs = (['user', 'inventory', 'order', 'payment'] as const).map((s) => new Client({ connectionString: sys.databaseUrl[s] }));
    await Promise.all(dbs.map((c) => c.connect()));
    redis = new Redis(sys.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    if (SURVEY) {
      const byProperty = new Map<string, string[]>();
      for (const v of violations) {
        byProperty.set(v.property, [...(byProperty.get(v.property) ?? []), v.label]);
      }
      const report = [...byProperty].map(([p, labels]) => `${p}: ${labels.length}\n  ${[...new Set(labels)].join('\n  ')}`);
      writeFileSync(process.env.HOSTILE_SURVEY_FILE ?? 'hostile-survey.txt', `${violations.length} violations\n${report.join('\n')}\n`);
      expect(violations).toEqual([]);
    }
    redis?.disconnect();
    await Promise.all((dbs ?? []).map((c) => c.end()));
    await sys?.stop();
  });

  /** What the system has stored: domain tables' contents, outbox sizes, and every cart. */
  const CONTENT_TABLES = ['users', 'addresses', 'skus', 'stock_locks', 'stock_lock_requests', 'orders', 'order_items', 'order_logistics'];
  const MORE_CONTENT_TABLES = ['payments', 'payment_notifications', 'refunds'];
  async function storedState(): Promise<Map<string, string>> {
    const parts = new Map<string, string>();
    for (const db of dbs) {
      const { rows } = await db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
      for (const { tablename } of rows) {
        if ([...CONTENT_TABLES, ...MORE_CONTENT_TABLES].includes(tablename)) {
          const r = await db.query(`SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS h FROM "${tablename}" t`);
          parts.set(tablename, r.rows[0].h as string);
        } else if (tablename === 'outbox_events') {
          const r = await db.query('SELECT count(*)::int AS n FROM outbox_events');
          parts.set(`${db.database ?? ''}.outbox_events`, String(r.rows[0].n));
        }
      }
    }
    for (const key of await redis.keys(`${sys.env.REDIS_KEY_PREFIX}cart:*`)) {
      parts.set(key, JSON.stringify(Object.entries(await redis.hgetall(key)).sort()));
    }
    return parts;
  }
  /**
   * Refusals that store something by design: releasing the locks of an unknown orderSn answers 404
   * but keeps an abandonment marker, so that a lock request still in flight cannot lock stock for
   * an order that will never exist (stock-lock.service.ts, release()).
   */
  const REFUSALS_THAT_RECORD: Record<string, string[]> = {
    'POST /internal/stock-locks/{orderSn}/release': ['stock_lock_requests'],
  };
  const changedParts = (a: Map<string, string>, b: Map<string, string>): string[] =>
    [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
  /** After an accepted request, its asynchronous consequences (events, consumers) settle first. */
  async function settledState(): Promise<Map<string, string>> {
    let last = await storedState();
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = await storedState();
      if (changedParts(last, now).length === 0) {
        return now;
      }
      last = now;
    }
    return last;
  }

  // ---- generators ----
  const templateBody = (route: Route): Record<string, unknown> => {
    const key = `${route.method} ${route.path}`;
    switch (key) {
      case 'POST /auth/register':
        return { username: `u_${Math.random().toString(36).slice(2, 10)}`, password: 'password-123' };
      case 'POST /auth/login':
        return { username: known.username, password: 'password-123' };
      case 'POST /users/me/addresses':
        return { ...DEFAULT_ADDRESS };
      case 'POST /cart/items':
        return { skuId: known.skuId, quantity: 1 };
      case 'PATCH /cart/items/{skuId}':
        return { quantity: 2, checked: true };
      case 'POST /admin/skus':
        return { title: 'Generated', price: 100, stock: 5 };
      case 'PATCH /admin/skus/{id}':
        return { price: 600, stockDelta: 1 };
      case 'POST /internal/stock-locks':
        return { orderSn: '123456789', expiresAt: '2030-01-01T00:00:00Z', items: [{ skuId: known.skuId, quantity: 1 }] };
      case 'POST /orders':
        return { orderToken: '123456789', addressId: known.addressId, items: [{ skuId: known.skuId, quantity: 1 }], expectedTotal: 500 };
      case 'POST /payments':
        return { orderSn: known.orderSn };
      default:
        return {};
    }
  };

  const jsonMutation = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ kind: 'as-is' as const }) },
    // One field of the route's valid body replaced by a value hostile for its type (or for another type).
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        pick: fc.nat(),
        asString: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }),
        asOther: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_OTHER_VALUES) }),
        crossType: fc.constantFrom(false, false, false, true),
      }),
    },
    fc.record({
      kind: fc.constant('add' as const),
      name: fc.constantFrom('extra', '__proto__', 'constructor', 'x'),
      value: fc.jsonValue(),
    }),
    fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('random' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
  );
  const bodyKind = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('json' as const), mutation: jsonMutation }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'deep' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('garbage' as const), text: fc.string({ maxLength: 200 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('form' as const), text: fc.string({ maxLength: 200 }) }) },
  );
  const encoding = fc.constantFrom(
    'none',
    'none',
    'none',
    'gzip',
    'deflate',
    'br',
    'gzip-garbage',
    'deflate-garbage',
    'br-garbage',
    'x-unknown',
  );
  // 'right': the credentials the route asks for (so that the request gets past the guard).
  const auth = fc.constantFrom('right', 'right', 'right', 'right', 'none', 'user', 'bad-user', 'internal', 'bad-internal');
  // Mostly valid around one hostile part, so that requests reach the code behind the first checks.
  const segment = fc.oneof(
    { weight: 4, arbitrary: fc.constant('known') },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
  const queryValue = fc.oneof(
    { weight: 4, arbitrary: fc.constant('valid') },
    { weight: 1, arbitrary: fc.constant('absent') },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_QUERY_VALUES) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
  );
  const notifyMutation = fc.oneof(
    fc.constant({}),
    fc.record({ notify_id: fc.constantFrom('n'.repeat(129), 'n'.repeat(300), 'ok-id') }),
    fc.record({ trade_no: fc.constantFrom('2'.repeat(65), '2'.repeat(200), '2026') }),
    fc.record({ charset: fc.constantFrom('gbk', 'UTF-8', '') }),
    fc.record({ notify_type: fc.constantFrom('batch_trans_notify', '') }),
    fc.record({ total_amount: fc.constantFrom('5.00', '0.01', '5', 'abc', '1e3', '99999999999999.99') }),
    fc.record({ out_trade_no: fc.constantFrom('0', '99999999999999999999', 'abc') }),
    fc.record({ trade_status: fc.constantFrom('TRADE_SUCCESS', 'TRADE_CLOSED', 'WAIT_BUYER_PAY', 'X') }),
    fc.record({ extra: fc.constantFrom('a\u0000b', '\ud800', 'x'.repeat(2000)) }),
  );
  /** null most of the time (one run in eight gets a value). */
  const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
    fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
  const requestArb = fc.record({
    // Which part is hostile; the others stay valid (so that it reaches the code behind the first
    // checks). 'all': everything at once.
    focus: fc.constantFrom('path', 'query', 'body', 'body', 'encoding', 'headers', 'all', 'all'),
    route: fc.nat(),
    otherMethod: sometimes(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')),
    segments: fc.array(segment, { minLength: 3, maxLength: 3 }),
    query: fc.array(queryValue, { minLength: 4, maxLength: 4 }), // one per declared query parameter
    junkQuery: sometimes(fc.constantFrom('%', '%zz', 'a=%E0%A4%A', 'a=1&a=2', 'ids=1&ids=2', '=', '&&')),
    body: bodyKind,
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'none',
      'application/json; charset=utf-7',
    ),
    encoding,
    auth,
    correlationId: fc.option(fc.string({ maxLength: 140 }), { freq: 3 }),
    notify: fc.record({ signed: fc.boolean(), mutation: notifyMutation, asJson: fc.boolean() }),
  });

  type GeneratedRequest = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

  /** The request with every part but the focused one made valid. */
  function focused(req: GeneratedRequest): GeneratedRequest {
    if (req.focus === 'all') {
      return req;
    }
    const keep = (part: string): boolean => req.focus === part;
    return {
      ...req,
      otherMethod: keep('headers') ? req.otherMethod : null,
      segments: keep('path') ? req.segments : ['known', 'known', 'known'],
      query: keep('query') ? req.query : ['valid', 'valid', 'valid', 'valid'],
      junkQuery: keep('query') ? req.junkQuery : null,
      body: keep('body') ? req.body : { kind: 'json', mutation: { kind: 'as-is' } },
      contentType: keep('headers') ? req.contentType : 'application/json',
      encoding: keep('encoding') ? req.encoding : 'none',
      auth: keep('headers') ? req.auth : 'right',
    };
  }

  function validQueryValue(name: string): string {
    return name === 'ids' || name === 'skuId' ? String(known.skuId) : name === 'out_trade_no' ? known.orderSn : '1';
  }

  /** A real id for a path parameter, so that generated requests also reach the code behind the checks. */
  function knownSegment(route: Route, name: string): string {
    if (/orderSn|outTradeNo/i.test(name)) {
      return known.orderSn;
    }
    if (name === 'userId') {
      return String(known.userId);
    }
    if (name === 'addressId' || (name === 'id' && route.path.includes('addresses'))) {
      return String(known.addressId);
    }
    if (route.path.startsWith('/cart/items/')) {
      return String(known.cartSkuId);
    }
    return String(known.skuId);
  }

  function buildBody(req: GeneratedRequest, route: Route): { body?: Buffer; nulledField?: string } {
    if (route.path === '/payments/alipay/notify') {
      const params = notificationFor(known.orderSn, '5.00', req.notify.mutation);
      const signed = req.notify.signed ? signNotification(params) : params;
      return { body: Buffer.from(req.notify.asJson ? JSON.stringify(signed) : new URLSearchParams(signed).toString()) };
    }
    const b = req.body;
    switch (b.kind) {
      case 'none':
        return {};
      case 'deep':
        return { body: Buffer.from(`{"x": ${DEEP}}`) };
      case 'garbage':
      case 'form':
        return { body: Buffer.from(b.text) };
      case 'json': {
        const template = templateBody(route);
        const keys = Object.keys(template);
        let json: unknown = template;
        let nulledField: string | undefined;
        const m = b.mutation;
        if (m.kind === 'replace' && keys.length > 0) {
          const field = keys[m.pick % keys.length];
          const stringField = typeof template[field] === 'string';
          const value = stringField !== m.crossType ? m.asString : m.asOther;
          json = { ...template, [field]: value };
          nulledField = value === null ? field : undefined;
        } else if (m.kind === 'add') {
          json = { ...template, [m.name]: m.value };
        } else if (m.kind === 'drop' && keys.length > 0) {
          json = Object.fromEntries(Object.entries(template).filter(([k]) => k !== keys[m.pick % keys.length]));
        } else if (m.kind === 'random') {
          json = m.value;
        }
        return { body: Buffer.from(JSON.stringify(json) ?? 'null'), nulledField };
      }
    }
  }

  function encode(body: Buffer, encodingName: string): { body: Buffer; header?: string } {
    switch (encodingName) {
      case 'gzip':
        return { body: gzipSync(body), header: 'gzip' };
      case 'deflate':
        return { body: deflateSync(body), header: 'deflate' };
      case 'br':
        return { body: brotliCompressSync(body), header: 'br' };
      case 'gzip-garbage':
      case 'deflate-garbage':
      case 'br-garbage':
        return { body: Buffer.concat([Buffer.from('not compressed '), body]), header: encodingName.split('-')[0] };
      case 'x-unknown':
        return { body, header: 'x-unknown' };
      default:
        return { body };
    }
  }

  async function headersFor(req: GeneratedRequest, route: Route): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    const needsInternal = /^\/(internal|admin)\//.test(route.path);
    const chosen = req.auth === 'right' ? (needsInternal ? 'internal' : 'user') : req.auth;
    if (chosen === 'user') {
      // Logging out must not end the session every other generated request uses.
      const token =
        route.path === '/auth/logout'
          ? (await http('POST', `${sys.url.user}/auth/login`, { body: { username: spareLogin.username, password: 'password-123' } })).body
              ?.token
          : known.token;
      headers.authorization = `Bearer ${token ?? 'none'}`;
    } else if (chosen === 'bad-user') {
      headers.authorization = 'Bearer not-a-session-token';
    } else if (chosen === 'internal') {
      headers['x-internal-token'] = INTERNAL_TOKEN;
    } else if (chosen === 'bad-internal') {
      headers['x-internal-token'] = 'wrong-internal-token-0000';
    }
    if (route.path === '/payments/alipay/notify') {
      headers['content-type'] = req.notify.asJson ? 'application/json' : 'application/x-www-form-urlencoded';
    } else if (req.contentType !== 'none') {
      headers['content-type'] = req.contentType;
    }
    if (req.correlationId !== null && /^[\x20-\x7e]*$/.test(req.correlationId)) {
      headers['x-correlation-id'] = req.correlationId;
    }
    return headers;
  }

  it(
    'every route: never a 5xx, §9 error bodies, numbers and nulls refused, nothing stored on a refusal',
    async () => {
      let before = await settledState();
      const seen = new Map<string, number>(); // status class per target: proof that the generator gets past the first checks
      await fc.assert(
        fc.asyncProperty(requestArb, async (generated) => {
          const req = focused(generated);
          const route = routePool[req.route % routePool.length];
          const method = req.otherMethod ?? route.method;
          let names = 0;
          const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
            const s = req.segments[names++ % req.segments.length];
            return s === 'known' ? knownSegment(route, name) : urlPart(s);
          });
          const pairs = route.query
            .map((name, i) => {
              const v = req.query[i % req.query.length];
              const value = v === 'valid' ? validQueryValue(name) : v;
              return [name, value] as const;
            })
            .filter(([, v]) => v !== 'absent');
          const queryString = [...pairs.map(([k, v]) => `${k}=${urlPart(v)}`), ...(req.junkQuery ? [req.junkQuery] : [])].join('&');
          const built = buildBody(req, route);
          const headers = await headersFor(req, route);
          let body = built.body;
          if (body && route.path !== '/payments/alipay/notify') {
            const encoded = encode(body, req.encoding);
            body = encoded.body;
            if (encoded.header) {
              headers['content-encoding'] = encoded.header;
            }
          }
          const reply = await send(base[route.target], method, `${path}${queryString ? `?${queryString}` : ''}`, headers, body);
          const tags = `[encoding ${req.encoding}, body ${req.body.kind === 'json' ? `json/${req.body.mutation.kind}` : req.body.kind}]`;
          const label = `${method} ${path}?${queryString} ${tags} → ${reply.status} ${reply.text.slice(0, 300)}`;
          const key = `${route.target} ${reply.status}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          if (process.env.HOSTILE_VERBOSE === '2') {
            console.log(label);
          }

          holds('no 5xx', reply.status < 500, label);
          // The answer is one the service's OpenAPI document describes (status, media type, body, code).
          const undocumented = contractViolations({
            method,
            url: new URL(`${base[route.target]}${path}`).href, // as node:http sent it (dot segments resolved)
            status: reply.status,
            contentType: reply.type,
            correlationId: reply.correlationId,
            text: reply.text,
          });
          holds('documented in the OpenAPI document', undocumented.length === 0, `${label} (${undocumented.join('; ')})`);
          const isNotify = route.path === '/payments/alipay/notify' && method === 'POST';
          if (isNotify) {
            holds('webhook answers plain success/failure', reply.text === (reply.status === 200 ? 'success' : 'failure'), label);
          } else if (reply.status >= 400 && route.target !== 'sandbox') {
            holds('§9 error body on a 4xx', isErrorBody(reply), label);
          }
          if (method === route.method && route.target !== 'sandbox') {
            const looseNumber = pairs.some(([k, v]) => NUMERIC_QUERY.has(k) && !/^[0-9]+$/.test(v));
            // A field of the route's own body set to null (spuId alone is documented nullable).
            const nullField = built.nulledField !== undefined && built.nulledField !== 'spuId';
            if (looseNumber || nullField) {
              holds(looseNumber ? 'non-decimal query number refused' : 'null field refused', reply.status >= 400, label);
            }
          }
          if (reply.status >= 400 && !isNotify) {
            const after = await storedState();
            const allowed = method === route.method ? (REFUSALS_THAT_RECORD[`${route.method} ${route.path}`] ?? []) : [];
            const changed = changedParts(before, after).filter((part) => !allowed.includes(part));
            holds('nothing stored on a refusal', changed.length === 0, `${label} (changed: ${changed.join(', ')})`);
            before = after;
          } else {
            // Reads change nothing; an accepted write may have consequences through events.
            before = method === 'GET' ? await storedState() : await settledState();
          }
        }),
        { numRuns: RUNS, endOnFailure: true },
      );
      if (process.env.HOSTILE_VERBOSE === '1') {
        console.log(
          [...seen.entries()]
            .sort()
            .map(([k, n]) => `${k}: ${n}`)
            .join('\n'),
        );
      }
      const statuses = new Set([...seen.keys()].map((k) => Number(k.split(' ')[1])));
      for (const status of [200, 400, 401, 404]) {
        expect({ status, seen: statuses.has(status) }).toEqual({ status, seen: true });
      }
    },
    Math.max(60000, RUNS * 100),
  );

  it(
    "raw requests with hostile header names, values and framing: Node's parser refusals get §9 too",
    async () => {
      const headerLine = fc.oneof(
        fc.constantFrom(
          'Bad Header: 1',
          'X-Nul: a\u0000b',
          'Content-Length: 1\r\nContent-Length: 2',
          'Transfer-Encoding: chunked\r\nContent-Length: 3',
          'Content-Length: -1',
          'Content-Length: abc',
          `X-Big: ${'a'.repeat(20000)}`,
          'Host',
          ': empty-name',
          'X-Obs-Fold: a\r\n b',
          'Content-Encoding: gzip',
          'Transfer-Encoding: chunked', // and no chunk ever comes: the request timeout answers
          'Content-Length: 10', // and no body ever comes
          'Accept: */*',
          'X-Correlation-Id: given-by-the-client',
        ),
        fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 40 })).map(([k, v]) => `${k}: ${v}`),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom<Target>('user', 'cart', 'inventory', 'order', 'payment'),
          fc.constantFrom('GET /health/live', 'POST /auth/login', 'GET /skus/1', 'POST /payments/alipay/notify', 'GET /cart', 'BREW /x'),
          fc.array(headerLine, { minLength: 1, maxLength: 3 }),
          async (target, requestLine, lines) => {
            if (requestLine === 'POST /payments/alipay/notify' && target !== 'payment') {
              return;
            }
            const raw = `${requestLine} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines.join('\r\n')}\r\n\r\n`;
            const text = await sendRaw(base[target], raw);
            const [head, ...rest] = text.split('\r\n\r\n');
            const [statusLine, ...headerLines] = head.split('\r\n');
            const status = Number(statusLine.split(' ')[1]);
            const header = (name: string): string =>
              headerLines
                .find((l) => l.toLowerCase().startsWith(`${name}:`))
                ?.slice(name.length + 1)
                .trim() ?? '';
            const label = `${JSON.stringify(raw.slice(0, 200))} → ${statusLine}`;
            if (process.env.HOSTILE_VERBOSE === '1') {
              console.log(label);
            }
            holds('raw: answered, no 5xx', status > 0 && status < 500, label);
            if (status >= 400 && !(requestLine.includes('notify') && header('content-type').startsWith('text/plain'))) {
              const reply: Reply = {
                status,
                type: header('content-type'),
                text: rest.join('\r\n\r\n'),
                correlationId: header('x-correlation-id'),
              };
              holds('raw: §9 error body on a 4xx', isErrorBody(reply), label);
            }
          },
        ),
        { numRuns: RAW_RUNS, endOnFailure: true },
      );
    },
    Math.max(60000, RAW_RUNS * 200),
  );
});
