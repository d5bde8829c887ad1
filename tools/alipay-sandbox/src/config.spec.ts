import path from 'node:path';
import { homedir } from 'node:os';
import { ConfigError, DEFAULT_KEYS_DIR, defaultDataDir, loadConfig, PACKAGE_ROOT } from './config';

describe('loadConfig', () => {
  it('uses dev defaults and the committed keys', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({
      port: 3100,
      host: '0.0.0.0',
      timeScale: 1,
      publicUrl: 'http://127.0.0.1:3100',
      appId: '2021000000000001',
      sellerId: '2088000000000001',
      dataDir: path.join(homedir(), '.local', 'share', 'shop', 'alipay-sandbox'),
    });
    expect(cfg.alipayPrivateKey).toContain('BEGIN RSA PRIVATE KEY');
    expect(cfg.merchantPublicKey).toContain('BEGIN PUBLIC KEY');
  });

  it('keeps its trades on the machine, beside the databases, not in the checkout', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/srv/data' })).toBe('/srv/data/shop/alipay-sandbox');
    expect(loadConfig({ XDG_DATA_HOME: '/srv/data' }).dataDir).toBe('/srv/data/shop/alipay-sandbox');
    expect(defaultDataDir({})).not.toContain(PACKAGE_ROOT);
  });

  it('reads overrides from env', () => {
    const cfg = loadConfig({
      SANDBOX_PORT: '0',
      SANDBOX_TIME_SCALE: '0.0001',
      SANDBOX_DATA_DIR: '/tmp/sbx',
      SANDBOX_PUBLIC_URL: 'http://localhost:9999/',
      ALIPAY_APP_ID: '2021000000000099',
      ALIPAY_SELLER_ID: '2088000000000099',
    });
    expect(cfg).toMatchObject({
      port: 0,
      timeScale: 0.0001,
      dataDir: '/tmp/sbx',
      publicUrl: 'http://localhost:9999',
      appId: '2021000000000099',
      sellerId: '2088000000000099',
    });
  });

  it('derives the public URL from SANDBOX_PORT unless SANDBOX_PUBLIC_URL is set', () => {
    expect(loadConfig({ SANDBOX_PORT: '4000' }).publicUrl).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ SANDBOX_PORT: '0' }).publicUrl).toBeUndefined(); // = the actual listening URL
  });

  it('reports every problem at once, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({
        SANDBOX_PORT: 'eighty',
        SANDBOX_TIME_SCALE: '0',
        SANDBOX_PUBLIC_URL: 'ftp://x',
        ALIPAY_APP_ID: 'abc',
        SANDBOX_MERCHANT_PUBLIC_KEY_PATH: '/nonexistent.pem',
        SANDBOX_ALIPAY_PRIVATE_KEY_PATH: path.join(DEFAULT_KEYS_DIR, 'README.md'),
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'SANDBOX_PORT',
      'SANDBOX_TIME_SCALE',
      'SANDBOX_PUBLIC_URL',
      'ALIPAY_APP_ID',
      'SANDBOX_MERCHANT_PUBLIC_KEY_PATH',
      'SANDBOX_ALIPAY_PRIVATE_KEY_PATH',
    ]) {
      expect(problems).toContain(name);
    }
  });
});
