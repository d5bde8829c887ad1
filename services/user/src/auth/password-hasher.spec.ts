import { PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(1024);

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hasher.hash('correct horse');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$/);
    await expect(hasher.verify('correct horse', stored)).resolves.toBe(true);
    await expect(hasher.verify('correct horsE', stored)).resolves.toBe(false);
  });

  it('salts: the same password hashes differently each time', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    await expect(hasher.verify('x', 'plain-text')).resolves.toBe(false);
  });

  it('verifies hashes made with another cost (parameters travel with the hash)', async () => {
    const stored = await new PasswordHasher(2048).hash('pw-12345678');
    await expect(hasher.verify('pw-12345678', stored)).resolves.toBe(true);
  });
});
