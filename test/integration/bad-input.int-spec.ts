import { http, HttpResult } from '@shop/shared/testing';
import { InternalClient } from '@shop/shared/nest';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { createSku, DEFAULT_ADDRESS, INTERNAL_TOKEN, registerAndLogin, startSystem, TestSystem, TestUser } from '../support/system';

/** Writes raw bytes to a service and collects what comes back until the server closes the socket. */
function rawExchange(url: string, chunks: string[], timeoutMs = 10000): Promise<{ text: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the socket open for ${timeoutMs} ms; got so far: ${JSON.stringify(text)}`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => (text += d.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    socket.on('connect', () => {
      for (const c of chunks) {
        socket.write(c);
      }
    });
  });
}

/** Like `http`, but any method may carry a (binary) body — fetch refuses a GET with one. */
function sendBytes(method: string, url: string, headers: Record<string, string>, body: Buffer): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) {
          if (typeof v === 'string') {
            h.set(k, v);
          }
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A raw HTTP/1.1 response split into status, headers and the JSON body (SPEC §9). */
function parseRaw(text: string): { status: number; headers: Record<string, string>; body: any } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  let body: unknown;
  try {
    body = JSON.parse(rest.join('\r\n\r\n'));
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/**
 * SPEC §9: bad input is a 4xx with the right code and the standard error body — never a 500 —
 * and the correlation id of the response header is the one in the body.
 */
function expectError(res: HttpResult, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(res.body.error.correlationId).toBe(res.headers.get('x-correlation-id'));
  expect(typeof res.body.error.message).toBe('string');
  expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|SELECT|prisma/i);
}

describe('bad input never becomes a 500', () => {
  let sys: TestSystem;
  let alice: TestUser;
  let skuId: number;
  beforeAll(async () => {
    // Short HTTP timeouts, so that the slow-client tests below take seconds (production: 10 s / 30 s).
    sys = await startSystem(['user', 'inventory', 'cart', 'order'], { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' });
    alice = await registerAndLogin(sys.url.user);
    skuId = (await createSku(sys.url.inventory, {})).id;
  });
  afterAll(() => sys.stop());

  const cartAdd = (body: unknown) => http('POST', `${sys.url.cart}/cart/items`, { token: alice.token, body });

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['fractional', 1.5],
    ['huge', 1e30],
    ['over 999', 1000],
    ['a string', '2'],
    ['null', null],
    ['an object', { n: 1 }],
  ])('a %s quantity is 400 VALIDATION.FAILED', async (_label, quantity) => {
    expectError(await cartAdd({ skuId: 1, quantity }), 400, 'VALIDATION.FAILED');
  });

  it('malformed JSON, unknown fields, wrong types, missing fields and non-object bodies are 400', async () => {
    const raw = (rawBody: string) => http('POST', `${sys.url.cart}/cart/items`, { token: alice.token, rawBody });
    expectError(await raw('{"skuId": 1, "quantity": '), 400, 'VALIDATION.FAILED');
    expectError(await raw('[1, 2]'), 400, 'VALIDATION.FAILED');
    expectError(await raw('"text"'), 400, 'VALIDATION.FAILED');
    expectError(await raw('null'), 400, 'VALIDATION.FAILED');
    expectError(await cartAdd({ skuId, quantity: 1, price: 1 }), 400, 'VALIDATION.FAILED');
    expectError(await cartAdd({ skuId: 'abc', quantity: 1 }), 400, 'VALIDATION.FAILED');
    expectError(await cartAdd({ quantity: 1 }), 400, 'VALIDATION.FAILED');
    expectError(await cartAdd({ skuId: 1e30, quantity: 1 }), 400, 'VALIDATION.FAILED');
    expectError(await http('POST', `${sys.url.user}/auth/login`, { rawBody: '{"username":' }), 400, 'VALIDATION.FAILED');
    const details = (await cartAdd({ skuId, quantity: -1, extra: true })).body.error.details;
    expect(details.fields.map((f: { field: string }) => f.field).sort()).toEqual(['extra', 'quantity']);
  });

  it('NUL characters (which PostgreSQL cannot store) are 400, also where only a length is checked', async () => {
    expectError(
      await http('POST', `${sys.url.user}/auth/login`, { body: { username: 'a\u0000b', password: 'whatever-123' } }),
      400,
      'VALIDATION.FAILED',
    );
    expectError(
      await http('POST', `${sys.url.user}/users/me/addresses`, {
        token: alice.token,
        body: { receiver: 'Li\u0000', phone: '+86 138 0000 0000', region: 'r', detail: 'd' },
      }),
      400,
      'VALIDATION.FAILED',
    );
    expectError(await http('GET', `${sys.url.inventory}/skus?ids=1%00`), 400, 'VALIDATION.FAILED');
    // and the throttle did not count these as failed logins
    expect(
      (await http('POST', `${sys.url.user}/auth/login`, { body: { username: alice.username, password: 'password-123' } })).status,
    ).toBe(200);
  });

  it('bad path parameters are 400, not 404 or 500', async () => {
    for (const path of ['abc', '-1', '0', '1.5', '99999999999999999999']) {
      expectError(await http('DELETE', `${sys.url.cart}/cart/items/${path}`, { token: alice.token }), 400, 'VALIDATION.FAILED');
      expectError(await http('GET', `${sys.url.inventory}/skus/${path}`), 400, 'VALIDATION.FAILED');
    }
  });

  it('a body over 1 MB is 413 REQUEST.TOO_LARGE on every service', async () => {
    const big = JSON.stringify({ skuId: 1, quantity: 1, pad: 'x'.repeat(1024 * 1024 + 10) });
    for (const url of [`${sys.url.cart}/cart/items`, `${sys.url.user}/auth/register`, `${sys.url.inventory}/admin/skus`]) {
      expectError(await http('POST', url, { token: alice.token, rawBody: big }), 413, 'REQUEST.TOO_LARGE');
    }
  });

  it('missing, malformed or unknown tokens are 401 AUTH.UNAUTHENTICATED', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer' },
      { authorization: 'Basic abc' },
      { authorization: 'Bearer not-a-real-session-token-000' },
      { authorization: `Bearer ${alice.token}x` },
    ]) {
      expectError(await http('GET', `${sys.url.cart}/cart`, { headers }), 401, 'AUTH.UNAUTHENTICATED');
      expectError(await http('GET', `${sys.url.user}/users/me`, { headers }), 401, 'AUTH.UNAUTHENTICATED');
    }
  });

  it('a missing or wrong x-internal-token is 401 on /internal and /admin routes', async () => {
    for (const headers of [{} as Record<string, string>, { 'x-internal-token': 'wrong-wrong-wrong-wrong' }, { 'x-internal-token': '' }]) {
      expectError(await http('GET', `${sys.url.cart}/internal/carts/${alice.id}/checked-items`, { headers }), 401, 'AUTH.UNAUTHENTICATED');
      expectError(await http('GET', `${sys.url.inventory}/admin/skus/${skuId}`, { headers }), 401, 'AUTH.UNAUTHENTICATED');
      expectError(await http('GET', `${sys.url.user}/internal/users/${alice.id}/addresses/1`, { headers }), 401, 'AUTH.UNAUTHENTICATED');
    }
  });

  it('unknown routes and methods are 404 ROUTE.NOT_FOUND', async () => {
    expectError(await http('GET', `${sys.url.cart}/nope`), 404, 'ROUTE.NOT_FOUND');
    expectError(await http('PUT', `${sys.url.inventory}/skus/1`), 404, 'ROUTE.NOT_FOUND');
    expectError(await http('GET', `${sys.url.user}/auth/login`), 404, 'ROUTE.NOT_FOUND');
  });

  it('echoes a caller-supplied correlation id and mints one otherwise', async () => {
    const res = await http('GET', `${sys.url.cart}/nope`, { headers: { 'x-correlation-id': 'trace-abc-123' } });
    expect(res.headers.get('x-correlation-id')).toBe('trace-abc-123');
    expect(res.body.error.correlationId).toBe('trace-abc-123');
    const ok = await http('GET', `${sys.url.inventory}/skus/${skuId}`);
    expect(ok.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await http('GET', `${sys.url.inventory}/skus/${skuId}`, { headers: { 'x-correlation-id': 'x'.repeat(500) } });
    expect(hostile.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a content-encoding whose body does not decode is 400 on every kind of route (GET, public, authenticated)', async () => {
    const garbage = Buffer.from('this is not compressed at all');
    for (const encoding of ['gzip', 'deflate', 'br']) {
      for (const [method, url] of [
        ['GET', `${sys.url.inventory}/skus/${skuId}`],
        ['GET', `${sys.url.user}/health/live`],
        ['POST', `${sys.url.user}/auth/login`],
        ['POST', `${sys.url.cart}/cart/items`],
        ['GET', `${sys.url.order}/nope`],
      ]) {
        const headers = { 'content-encoding': encoding, 'content-type': 'application/json', authorization: `Bearer ${alice.token}` };
        expectError(await sendBytes(method, url, headers, garbage), 400, 'VALIDATION.FAILED');
      }
    }
    // A body that does decode is simply read.
    for (const [encoding, body] of [
      ['gzip', gzipSync(JSON.stringify({ skuId, quantity: 1 }))],
      ['br', brotliCompressSync(JSON.stringify({ skuId, quantity: 1 }))],
    ] as const) {
      const headers = { 'content-encoding': encoding, 'content-type': 'application/json', authorization: `Bearer ${alice.token}` };
      const res = await sendBytes('POST', `${sys.url.cart}/cart/items`, headers, body);
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 200 });
    }
  });

  it('deeply nested JSON is refused before validation (400), on every JSON route', async () => {
    const deep = `{"skuId": 1, "quantity": 1, "x": ${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expectError(await http('POST', `${sys.url.cart}/cart/items`, { token: alice.token, rawBody: deep }), 400, 'VALIDATION.FAILED');
    expectError(await http('POST', `${sys.url.user}/auth/register`, { rawBody: deep }), 400, 'VALIDATION.FAILED');
    const deepObject = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    expectError(await http('POST', `${sys.url.user}/auth/login`, { rawBody: deepObject }), 400, 'VALIDATION.FAILED');
  });

  it('string lengths are counted as PostgreSQL counts them (code points): over the column is 400, up to it is stored', async () => {
    const selector = 'a\uFE0F'.repeat(40); // 80 code points, which validator.js counts as 40
    expectError(
      await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body: { ...DEFAULT_ADDRESS, receiver: selector } }),
      400,
      'VALIDATION.FAILED',
    );
    expectError(
      await http('POST', `${sys.url.inventory}/admin/skus`, {
        headers: { 'x-internal-token': INTERNAL_TOKEN },
        body: { title: 'a\uFE0F'.repeat(101), price: 100, stock: 1 },
      }),
      400,
      'VALIDATION.FAILED',
    );
    const emoji = '\u{1F600}'.repeat(64); // 64 code points, 128 UTF-16 units: fits VARCHAR(64)
    const ok = await http('POST', `${sys.url.user}/users/me/addresses`, {
      token: alice.token,
      body: { ...DEFAULT_ADDRESS, receiver: emoji },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.receiver).toBe(emoji);
  });

  it('ids beyond the INTEGER range are 400 wherever they arrive: query, body, path', async () => {
    for (const q of ['ids=2147483648', 'ids=9999999999', `ids=${skuId},2147483648`]) {
      expectError(await http('GET', `${sys.url.inventory}/skus?${q}`), 400, 'VALIDATION.FAILED');
    }
    expect((await http('GET', `${sys.url.inventory}/skus?ids=2147483647`)).status).toBe(200);
    expectError(await cartAdd({ skuId: 2147483648, quantity: 1 }), 400, 'VALIDATION.FAILED');
    expectError(
      await http('GET', `${sys.url.order}/orders/confirm?skuId=2147483648&quantity=1`, { token: alice.token }),
      400,
      'VALIDATION.FAILED',
    );
    for (const id of ['2147483648', '9999999999']) {
      expectError(await http('GET', `${sys.url.inventory}/skus/${id}`), 400, 'VALIDATION.FAILED');
      expectError(
        await http('GET', `${sys.url.user}/internal/users/${id}/addresses/1`, { headers: { 'x-internal-token': INTERNAL_TOKEN } }),
        400,
        'VALIDATION.FAILED',
      );
    }
  });

  it('numeric query values are plain decimal digits only', async () => {
    for (const quantity of ['0x10', '1e1', '0o7', '0b1', ' 1', '1 ', '+1', '1.0', '', '٣']) {
      const res = await http('GET', `${sys.url.order}/orders/confirm?skuId=${skuId}&quantity=${encodeURIComponent(quantity)}`, {
        token: alice.token,
      });
      expectError(res, 400, 'VALIDATION.FAILED');
    }
    for (const page of ['0x1', '1e0', ' 2']) {
      expectError(
        await http('GET', `${sys.url.order}/orders?page=${encodeURIComponent(page)}`, { token: alice.token }),
        400,
        'VALIDATION.FAILED',
      );
    }
    expect((await http('GET', `${sys.url.order}/orders?page=1&pageSize=5`, { token: alice.token })).status).toBe(200);
  });

  it('null for an optional field is refused, not treated as absent', async () => {
    expect((await cartAdd({ skuId, quantity: 1 })).status).toBe(200);
    for (const body of [{ quantity: null }, { checked: null }, { quantity: 2, checked: null }]) {
      expectError(await http('PATCH', `${sys.url.cart}/cart/items/${skuId}`, { token: alice.token, body }), 400, 'VALIDATION.FAILED');
    }
    expectError(
      await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body: { ...DEFAULT_ADDRESS, isDefault: null } }),
      400,
      'VALIDATION.FAILED',
    );
    expectError(
      await http('PATCH', `${sys.url.inventory}/admin/skus/${skuId}`, {
        headers: { 'x-internal-token': INTERNAL_TOKEN },
        body: { price: null, stockDelta: 1 },
      }),
      400,
      'VALIDATION.FAILED',
    );
  });

  it('a declared Content-Length over 1 MB that never arrives is answered 413 at once and the socket closed', async () => {
    const { text, closedAfterMs } = await rawExchange(sys.url.user, [
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n{"user',
    ]);
    const res = parseRaw(text);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'REQUEST.TOO_LARGE', correlationId: res.headers['x-correlation-id'] });
    expect(closedAfterMs).toBeLessThan(5000);
  });

  it('a body or headers that stop arriving are cut off by the request/headers timeouts with a §9 body', async () => {
    const slowBody = await rawExchange(sys.url.user, [
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    ]);
    const body = parseRaw(slowBody.text);
    expect(body.status).toBe(408);
    expect(body.body.error).toMatchObject({ code: 'REQUEST.TIMEOUT', correlationId: body.headers['x-correlation-id'] });
    expect(slowBody.closedAfterMs).toBeLessThan(6000);
    const slowHeaders = await rawExchange(sys.url.cart, ['GET /cart HTTP/1.1\r\nHost: x\r\nX-Slow: 1']);
    expect(parseRaw(slowHeaders.text).status).toBe(408);
    expect(slowHeaders.closedAfterMs).toBeLessThan(6000);
  });

  it("requests Node's HTTP parser rejects get the §9 body and a correlation id", async () => {
    for (const request of [
      'GET /cart HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n',
      'GET /cart HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'NOT-HTTP\r\n\r\n',
    ]) {
      const res = parseRaw((await rawExchange(sys.url.cart, [request])).text);
      expect({ request, status: res.status }).toEqual({ request, status: 400 });
      expect(res.body.error).toMatchObject({ code: 'VALIDATION.FAILED', correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(res.headers['x-correlation-id']).toBe(res.body.error.correlationId);
    }
    const huge = parseRaw((await rawExchange(sys.url.cart, [`GET /cart HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`])).text);
    expect(huge.status).toBe(431);
    expect(huge.body.error.code).toBe('REQUEST.HEADERS_TOO_LARGE');
  });

  it('a dead downstream service is 503 UPSTREAM.UNAVAILABLE, not 500', async () => {
    const lonely = await startSystem(['user', 'cart'], { INVENTORY_SERVICE_URL: 'http://127.0.0.1:9' });
    try {
      const user = await registerAndLogin(lonely.url.user);
      expectError(
        await http('POST', `${lonely.url.cart}/cart/items`, { token: user.token, body: { skuId: 1, quantity: 1 } }),
        503,
        'UPSTREAM.UNAVAILABLE',
      );
    } finally {
      await lonely.stop();
    }
  });
});

describe('a misconfigured deployment is a 503, never blamed on the caller', () => {
  it('downstream 401 (wrong INTERNAL_TOKEN) or unknown route becomes UPSTREAM.UNAVAILABLE; domain errors pass through', async () => {
    const sys = await startSystem(['inventory']);
    try {
      const sku = await createSku(sys.url.inventory, {});
      const misconfigured = new InternalClient('inventory', sys.url.inventory, 'some-other-internal-token');
      await expect(misconfigured.call(`/admin/skus/${sku.id}`)).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
      const wellConfigured = new InternalClient('inventory', sys.url.inventory, INTERNAL_TOKEN);
      await expect(wellConfigured.call('/no/such/route')).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
      await expect(wellConfigured.call('/admin/skus/999999')).rejects.toMatchObject({ code: 'INVENTORY.SKU_NOT_FOUND' });
      await expect(wellConfigured.call(`/admin/skus/${sku.id}`)).resolves.toMatchObject({ id: sku.id });
    } finally {
      await sys.stop();
    }
  });
});
