import { http, uniqueName } from '@shop/shared/testing';
import { registerAndLogin, startSystem, TestSystem } from '../support/system';

describe('identity across services (user + cart + inventory, real Postgres and Redis)', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startSystem(['user', 'inventory', 'cart']);
  });
  afterAll(() => sys.stop());

  it('a session works in every service, and logout ends exactly that session everywhere at once', async () => {
    const alice = await registerAndLogin(sys.url.user);
    const second = await http('POST', `${sys.url.user}/auth/login`, { body: { username: alice.username, password: 'password-123' } });
    expect(second.status).toBe(200);

    expect((await http('GET', `${sys.url.user}/users/me`, { token: alice.token })).body).toEqual({
      id: alice.id,
      username: alice.username,
    });
    expect((await http('GET', `${sys.url.cart}/cart`, { token: alice.token })).status).toBe(200);

    expect((await http('POST', `${sys.url.user}/auth/logout`, { token: alice.token })).status).toBe(204);

    for (const url of [`${sys.url.user}/users/me`, `${sys.url.cart}/cart`, `${sys.url.user}/users/me/addresses`]) {
      const res = await http('GET', url, { token: alice.token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.UNAUTHENTICATED');
    }
    // the other session of the same user is untouched
    expect((await http('GET', `${sys.url.cart}/cart`, { token: second.body.token })).status).toBe(200);
  });

  it('register validates, refuses a taken name, and of 10 concurrent registrations of one name exactly one wins', async () => {
    const name = uniqueName();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        http('POST', `${sys.url.user}/auth/register`, { body: { username: name, password: 'password-123' } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'USER.USERNAME_TAKEN')).toHaveLength(9);

    for (const body of [
      { username: 'ab', password: 'password-123' },
      { username: 'has space', password: 'password-123' },
      { username: 'x'.repeat(33), password: 'password-123' },
      { username: uniqueName(), password: 'short' },
      { username: uniqueName(), password: 'p'.repeat(73) },
      { username: 12345, password: 'password-123' },
    ]) {
      const res = await http('POST', `${sys.url.user}/auth/register`, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION.FAILED');
    }
  });

  it('stores passwords as salted scrypt hashes, never in clear', async () => {
    const { Client } = await import('pg');
    const name = uniqueName();
    await registerAndLogin(sys.url.user, name);
    const db = new Client({ connectionString: sys.databaseUrl.user });
    await db.connect();
    const { rows } = await db.query('SELECT password_hash FROM users WHERE username = $1', [name]);
    await db.end();
    expect(rows[0].password_hash).toMatch(/^scrypt\$\d+\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(rows[0].password_hash).not.toContain('password-123');
  });

  it('wrong credentials are 401; after 5 failures the username is locked (429) even for the right password', async () => {
    const bob = await registerAndLogin(sys.url.user);
    const wrong = () => http('POST', `${sys.url.user}/auth/login`, { body: { username: bob.username, password: 'wrong-password' } });
    for (let i = 0; i < 5; i++) {
      const res = await wrong();
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('AUTH.INVALID_CREDENTIALS');
    }
    const locked = await http('POST', `${sys.url.user}/auth/login`, { body: { username: bob.username, password: 'password-123' } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('AUTH.TOO_MANY_ATTEMPTS');
    expect(locked.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    // an unknown username answers exactly like a wrong password
    const unknown = await http('POST', `${sys.url.user}/auth/login`, { body: { username: uniqueName(), password: 'whatever-123' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('AUTH.INVALID_CREDENTIALS');
  });

  it('the failure limit holds under 20 concurrent wrong attempts: at most 5 are even checked', async () => {
    const carol = await registerAndLogin(sys.url.user);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        http('POST', `${sys.url.user}/auth/login`, { body: { username: carol.username, password: 'wrong-password' } }),
      ),
    );
    expect(results.filter((r) => r.status === 401)).toHaveLength(5);
    expect(results.filter((r) => r.status === 429)).toHaveLength(15);
  });

  it('a successful login does not count as a failure', async () => {
    const dave = await registerAndLogin(sys.url.user);
    for (let i = 0; i < 4; i++) {
      expect((await http('POST', `${sys.url.user}/auth/login`, { body: { username: dave.username, password: 'nope-nope' } })).status).toBe(
        401,
      );
    }
    for (let i = 0; i < 3; i++) {
      expect(
        (await http('POST', `${sys.url.user}/auth/login`, { body: { username: dave.username, password: 'password-123' } })).status,
      ).toBe(200);
    }
  });
});
