import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 64;

function scryptAsync(password: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; the default 32 MB cap is too small for larger N.
    scrypt(password, salt, KEY_LENGTH, { N: n, r: 8, p: 1, maxmem: 256 * n * 8 + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * Slow salted hashing with Node's scrypt (no native addon needed). The stored string carries its
 * parameters (`scrypt$N$r$p$salt$hash`), so the cost can be raised later without breaking logins.
 */
export class PasswordHasher {
  constructor(private readonly cost: number) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt, this.cost);
    return `scrypt$${this.cost}$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || r !== '8' || p !== '1' || !salt || !hash) {
      return false;
    }
    const expected = Buffer.from(hash, 'base64');
    const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), Number(n));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  /** Spends the same time as a real verification, so an unknown username is not revealed by timing. */
  async burn(password: string): Promise<void> {
    await scryptAsync(password, Buffer.alloc(16), this.cost);
  }
}
