import { http, pollUntil } from '@shop/shared/testing';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSystem, TestSystem } from '../support/system';

describe('operational endpoints of every service', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startSystem(['user', 'inventory', 'cart', 'order', 'payment']);
  });
  afterAll(() => sys.stop());

  it.each(['user', 'inventory', 'cart', 'order', 'payment'] as const)(
    '%s: live, ready (database, Redis, Kafka), metrics, docs',
    async (name) => {
      const base = sys.url[name];
      expect((await http('GET', `${base}/health/live`)).body).toEqual({ status: 'ok' });
      const ready = await http('GET', `${base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(Object.keys(ready.body.info).sort()).toEqual(name === 'cart' ? ['kafka', 'redis'] : ['database', 'kafka', 'redis']);
      const metrics = await http('GET', `${base}/metrics`);
      expect(metrics.text).toContain('http_request_duration_seconds_bucket');
      expect(metrics.text).toContain(`service="${name}"`);
      expect((await http('GET', `${base}/docs`)).status).toBe(200);
      const openapi = await http('GET', `${base}/docs-json`);
      expect(openapi.body.openapi).toMatch(/^3\./);
    },
  );

  it('readiness reports a dead dependency with 503: up/down per dependency, the driver error only in the log', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'ready-logs-'));
    const logFile = join(logDir, 'cart.log');
    const broken = await startSystem(['cart'], { REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn', LOG_FILE: logFile });
    try {
      const ready = await http('GET', `${broken.url.cart}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.error.redis).toEqual({ status: 'down' });
      expect(ready.body.details.redis).toEqual({ status: 'down' });
      expect(ready.body.details.kafka).toEqual({ status: 'up' });
      expect(ready.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|timed out|message/i);
      const log = await pollUntil(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"dependency":"redis"'), {
        what: 'the readiness failure in the log',
      });
      expect(log).toBe(true);
    } finally {
      await broken.stop();
      rmSync(logDir, { recursive: true, force: true });
    }
  });
});
