import { http } from '@shop/shared/testing';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { metricValue, ProcessSystem, SERVICE_NAMES, startProcessSystem } from './support/processes';

/** The harness itself: real processes that become ready, die for real, and come back. */
describe('e2e harness: the system as real OS processes', () => {
  let sys: ProcessSystem;
  beforeAll(async () => {
    sys = await startProcessSystem({ instances: { order: 2 } });
  }, 90000);
  afterAll(() => sys?.stop(), 60000);

  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port });
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });

  it('starts every service (two order processes) and the sandbox as separate processes, all ready', async () => {
    const all = [...SERVICE_NAMES.flatMap((n) => sys.instances[n]), sys.sandbox];
    expect(all).toHaveLength(7);
    expect(new Set(all.map((i) => i.pid)).size).toBe(7);
    expect(new Set(all.map((i) => i.port)).size).toBe(7);
    for (const i of all) {
      expect(existsSync(`/proc/${i.pid}`)).toBe(true);
    }
    for (const name of SERVICE_NAMES) {
      for (const i of sys.instances[name]) {
        const ready = await http('GET', `${i.url}/health/ready`);
        expect({ name, index: i.index, status: ready.status }).toEqual({ name, index: i.index, status: 200 });
        expect(
          metricValue(await i.metrics(), 'http_request_duration_seconds_count', { method: 'GET', route: '/health/ready' }),
        ).toBeGreaterThanOrEqual(1);
      }
    }
    expect(sys.url.order).toBe(sys.instances.order[0].url);
    expect((await http('GET', `${sys.sandboxUrl}/health/live`)).status).toBe(200);
  });

  it('kill("SIGKILL") really kills the process; restart() brings it back ready on the same port', async () => {
    const victim = sys.instances.order[1];
    const { pid, port } = victim;
    victim.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    expect(victim.exitSignal).toBe('SIGKILL');
    expect(victim.alive).toBe(false);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(await portOpen(port)).toBe(false);

    await victim.restart();
    expect(victim.alive).toBe(true);
    expect(victim.pid).not.toBe(pid);
    expect(victim.port).toBe(port);
    expect(existsSync(`/proc/${victim.pid}`)).toBe(true);
    expect((await http('GET', `http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    // The survivor was not disturbed.
    expect((await http('GET', `${sys.instances.order[0].url}/health/ready`)).status).toBe(200);
  }, 60000);

  it('metricValue sums the samples carrying the given labels', () => {
    const text = [
      '# HELP x_total a counter',
      'x_total{a="1",b="q\\"uote"} 2',
      'x_total{a="1",b="z"} 3',
      'x_total{a="2"} 5',
      'x_total_other{a="1"} 100',
      'y 7',
    ].join('\n');
    expect(metricValue(text, 'x_total', { a: '1' })).toBe(5);
    expect(metricValue(text, 'x_total', { b: 'q"uote' })).toBe(2);
    expect(metricValue(text, 'x_total')).toBe(10);
    expect(metricValue(text, 'y')).toBe(7);
    expect(metricValue(text, 'absent')).toBe(0);
  });
});
