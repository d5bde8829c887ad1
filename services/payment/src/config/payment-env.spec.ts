import { loadEnv } from '@shop/shared/nest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFingerprint, SANDBOX_KEY_FINGERPRINTS } from './alipay-keys';
import { PaymentEnv } from './payment-env';

const SANDBOX_KEYS = join(__dirname, '..', '..', '..', '..', 'tools', 'alipay-sandbox', 'keys');

function problemLines(source: NodeJS.ProcessEnv): string[] {
  try {
    loadEnv(PaymentEnv, source);
  } catch (err) {
    return (err as Error).message.split('\n').filter((l) => l.startsWith('  '));
  }
  throw new Error('expected the configuration to be refused');
}

describe('payment configuration: development defaults only in development mode', () => {
  let dir: string;
  let ownKeys: { ALIPAY_MERCHANT_PRIVATE_KEY_PATH: string; ALIPAY_PUBLIC_KEY_PATH: string };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'payment-env-'));
    const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const alipay = generateKeyPairSync('rsa', { modulusLength: 2048 });
    ownKeys = {
      ALIPAY_MERCHANT_PRIVATE_KEY_PATH: join(dir, 'merchant-private.pem'),
      ALIPAY_PUBLIC_KEY_PATH: join(dir, 'alipay-public.pem'),
    };
    writeFileSync(ownKeys.ALIPAY_MERCHANT_PRIVATE_KEY_PATH, merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }));
    writeFileSync(ownKeys.ALIPAY_PUBLIC_KEY_PATH, alipay.publicKey.export({ type: 'spki', format: 'pem' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the fingerprints of the committed sandbox keys are the ones the check refuses', () => {
    const found = ['alipay-private.pem', 'alipay-public.pem', 'merchant-private.pem', 'merchant-public.pem'].map((f) =>
      keyFingerprint(readFileSync(join(SANDBOX_KEYS, f), 'utf8'), f.includes('private') ? 'private' : 'public'),
    );
    expect(new Set(found)).toEqual(new Set(Object.keys(SANDBOX_KEY_FINGERPRINTS)));
  });

  it('development mode runs on the sandbox keys, app id and token', () => {
    const env = loadEnv(PaymentEnv, { APP_ENV: 'development' });
    expect(env.ALIPAY_APP_ID).toBe('2021000000000001');
    expect(env.ALIPAY_PUBLIC_KEY_PATH).toContain('alipay-public.pem');
  });

  it('production with nothing set: one line per missing secret or key', () => {
    expect(problemLines({})).toEqual([
      '  INTERNAL_TOKEN (unset): required outside development mode (its default is a development value)',
      '  ALIPAY_APP_ID (unset): required outside development mode (its default is a development value)',
      '  ALIPAY_MERCHANT_PRIVATE_KEY_PATH (unset): required outside development mode (its default is a development value)',
      '  ALIPAY_PUBLIC_KEY_PATH (unset): required outside development mode (its default is a development value)',
    ]);
  });

  it('production refuses the sandbox key files even when named explicitly, and the development token', () => {
    const lines = problemLines({
      INTERNAL_TOKEN: 'dev-internal-token-change-me',
      ALIPAY_APP_ID: '2021009999999999',
      ALIPAY_MERCHANT_PRIVATE_KEY_PATH: join(SANDBOX_KEYS, 'merchant-private.pem'),
      ALIPAY_PUBLIC_KEY_PATH: join(SANDBOX_KEYS, 'alipay-public.pem'),
    });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^ {2}INTERNAL_TOKEN="dev-internal-token-change-me": is the development token/);
    expect(lines[1]).toMatch(/^ {2}ALIPAY_MERCHANT_PRIVATE_KEY_PATH=".*merchant-private.pem": .* is the sandbox's merchant key pair/);
    expect(lines[2]).toMatch(/^ {2}ALIPAY_PUBLIC_KEY_PATH=".*alipay-public.pem": .* is the sandbox's Alipay key pair/);
  });

  it('a copy of a sandbox key elsewhere is still refused; unreadable or wrong-kind files are named', () => {
    const copy = join(dir, 'copied-alipay-public.pem');
    writeFileSync(copy, readFileSync(join(SANDBOX_KEYS, 'alipay-public.pem')));
    const lines = problemLines({
      INTERNAL_TOKEN: 'a-real-secret-0123456789',
      ALIPAY_APP_ID: '2021009999999999',
      ALIPAY_MERCHANT_PRIVATE_KEY_PATH: ownKeys.ALIPAY_PUBLIC_KEY_PATH, // a public key where the private one belongs
      ALIPAY_PUBLIC_KEY_PATH: copy,
    });
    expect(lines).toEqual([
      expect.stringMatching(/ALIPAY_MERCHANT_PRIVATE_KEY_PATH=.*is not an RSA private key/),
      expect.stringMatching(/ALIPAY_PUBLIC_KEY_PATH=.*is the sandbox's Alipay key pair/),
    ]);
    expect(problemLines({ APP_ENV: 'development', ALIPAY_PUBLIC_KEY_PATH: join(dir, 'missing.pem') })).toEqual([
      expect.stringMatching(/ALIPAY_PUBLIC_KEY_PATH=.*cannot read the key file .*missing.pem \(ENOENT\)/),
    ]);
  });

  it('production starts with its own secrets and keys', () => {
    const env = loadEnv(PaymentEnv, { INTERNAL_TOKEN: 'a-real-secret-0123456789', ALIPAY_APP_ID: '2021009999999999', ...ownKeys });
    expect(env.APP_ENV).toBe('production');
  });
});
