import { http, HttpResult } from '@shop/shared/testing';
import { InternalClient } from '@shop/shared/nest';
import { createSku, INTERNAL_TOKEN, registerAndLogin, startSystem, TestSystem, TestUser } from '../support/system';

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
    sys = await startSystem(['user', 'inventory', 'cart']);
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
