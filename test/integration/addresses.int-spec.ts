import { http } from '@shop/shared/testing';
import { INTERNAL_TOKEN, registerAndLogin, startSystem, TestSystem, TestUser } from '../support/system';

const address = (over: Record<string, unknown> = {}) => ({
  receiver: 'Li Lei',
  phone: '+86 138 0000 0000',
  region: 'Zhejiang Hangzhou',
  detail: 'No. 1 Wensan Road',
  ...over,
});

describe('addresses (user service)', () => {
  let sys: TestSystem;
  let alice: TestUser;
  let mallory: TestUser;
  beforeAll(async () => {
    sys = await startSystem(['user']);
    alice = await registerAndLogin(sys.url.user);
    mallory = await registerAndLogin(sys.url.user);
  });
  afterAll(() => sys.stop());

  it('the first address becomes the default; a new default replaces it; list shows the default first', async () => {
    const a = await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body: address() });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ ...address(), isDefault: true });
    const b = await http('POST', `${sys.url.user}/users/me/addresses`, {
      token: alice.token,
      body: address({ detail: 'B', isDefault: true }),
    });
    const c = await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body: address({ detail: 'C' }) });
    expect(c.body.isDefault).toBe(false);
    const list = await http('GET', `${sys.url.user}/users/me/addresses`, { token: alice.token });
    expect(list.body.map((x: { id: number }) => x.id)).toEqual([b.body.id, a.body.id, c.body.id]);
    expect(list.body.filter((x: { isDefault: boolean }) => x.isDefault)).toHaveLength(1);
  });

  it('concurrent "make this my default" requests leave exactly one default', async () => {
    const user = await registerAndLogin(sys.url.user);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        http('POST', `${sys.url.user}/users/me/addresses`, { token: user.token, body: address({ detail: `D${i}`, isDefault: true }) }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const list = await http('GET', `${sys.url.user}/users/me/addresses`, { token: user.token });
    expect(list.body).toHaveLength(10);
    expect(list.body.filter((x: { isDefault: boolean }) => x.isDefault)).toHaveLength(1);
  });

  it("another user's address is invisible: delete is 404 and it stays; the internal lookup is scoped by owner", async () => {
    const own = await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body: address({ detail: 'mine' }) });
    const del = await http('DELETE', `${sys.url.user}/users/me/addresses/${own.body.id}`, { token: mallory.token });
    expect(del.status).toBe(404);
    expect(del.body.error.code).toBe('USER.ADDRESS_NOT_FOUND');
    expect((await http('GET', `${sys.url.user}/users/me/addresses`, { token: mallory.token })).body).toEqual([]);

    const headers = { 'x-internal-token': INTERNAL_TOKEN };
    const found = await http('GET', `${sys.url.user}/internal/users/${alice.id}/addresses/${own.body.id}`, { headers });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: own.body.id, userId: alice.id, detail: 'mine' });
    const foreign = await http('GET', `${sys.url.user}/internal/users/${mallory.id}/addresses/${own.body.id}`, { headers });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('USER.ADDRESS_NOT_FOUND');

    expect((await http('DELETE', `${sys.url.user}/users/me/addresses/${own.body.id}`, { token: alice.token })).status).toBe(204);
    expect((await http('DELETE', `${sys.url.user}/users/me/addresses/${own.body.id}`, { token: alice.token })).status).toBe(404);
  });

  it('the internal lookup refuses a missing or wrong x-internal-token, and a user token', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { 'x-internal-token': 'wrong-token-wrong-token' },
      { authorization: `Bearer ${alice.token}` },
    ]) {
      const res = await http('GET', `${sys.url.user}/internal/users/${alice.id}/addresses/1`, { headers });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.UNAUTHENTICATED');
    }
  });

  it('refuses bad addresses with VALIDATION.FAILED', async () => {
    for (const body of [
      address({ receiver: '' }),
      address({ phone: 'call me' }),
      address({ isDefault: 'yes' }),
      address({ extra: 1 }),
      { receiver: 'x' },
    ]) {
      const res = await http('POST', `${sys.url.user}/users/me/addresses`, { token: alice.token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION.FAILED');
    }
  });
});
