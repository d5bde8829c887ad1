import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@shop/shared/testing';
import { startSystem } from '../support/system';

const ROOT = join(__dirname, '..', '..');

/**
 * Issue 10: development defaults (the sandbox's committed Alipay keys, the development
 * INTERNAL_TOKEN, the sandbox app id) apply only in development mode, which is announced.
 */
describe('safe by default: production configuration', () => {
  it('a service process started without APP_ENV=development refuses to start, one line per problem', () => {
    const entry = join(ROOT, 'services', 'payment', 'dist', 'main.js');
    expect(existsSync(entry)).toBe(true); // built by `npm test` before jest runs
    const run = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, INTERNAL_TOKEN: 'dev-internal-token-change-me' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^Invalid configuration \(production mode/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}ALIPAY_APP_ID \(unset\): required outside development mode/),
      expect.stringMatching(/^ {2}ALIPAY_MERCHANT_PRIVATE_KEY_PATH \(unset\): required outside development mode/),
      expect.stringMatching(/^ {2}ALIPAY_PUBLIC_KEY_PATH \(unset\): required outside development mode/),
      expect.stringMatching(/^ {2}INTERNAL_TOKEN="dev-internal-token-change-me": is the development token/),
    ]);
  });

  it('development mode is announced at start with a warn line naming the defaults in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-mode-'));
    const logFile = join(dir, 'cart.log');
    const sys = await startSystem(['cart'], { LOG_LEVEL: 'warn', LOG_FILE: logFile, INTERNAL_TOKEN: '' });
    try {
      const line = await pollUntil(
        () =>
          existsSync(logFile) &&
          readFileSync(logFile, 'utf8')
            .split('\n')
            .find((l) => l.includes('DEVELOPMENT MODE')),
        { what: 'the development-mode warning' },
      );
      const entry = JSON.parse(line) as { level: number; appEnv: string; developmentDefaults: string[] };
      expect(entry).toMatchObject({ level: 40, appEnv: 'development', developmentDefaults: ['INTERNAL_TOKEN'] });
    } finally {
      await sys.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
