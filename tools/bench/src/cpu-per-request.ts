#!/usr/bin/env node
/**
 * CPU per request of ONE endpoint of a running service (`npm start`): N requests over C keep-alive
 * connections, and the CPU time the service's process used meanwhile (from /proc, `proc.ts`), so
 * the figure holds on a busy machine. Sends the internal token (from the environment, as the other
 * benches do), so internal routes can be probed too. The per-request figures in docs/benchmarks.md:
 *
 *   npm run bench:cpu-per-request -- --service inventory --path /nope [--requests 3000] [--connections 8]
 *   npm run bench:cpu-per-request -- --service inventory --path '/skus?ids=1'
 *   npm run bench:cpu-per-request -- --service order --path /x --method POST --body '{"a":1}'
 *
 * A first pass of a fifth of the requests warms the process up and is not counted.
 */
import { loadEnv } from '@shop/consistency';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { cpuSeconds, SERVICES, Service, requireServicePid } from './proc';

const USAGE = `usage: npm run bench:cpu-per-request -- --service ${SERVICES.join('|')} --path PATH [--requests 3000] [--connections 8] [--method GET] [--body JSON]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      service: { type: 'string' },
      path: { type: 'string' },
      requests: { type: 'string', default: '3000' },
      connections: { type: 'string', default: '8' },
      method: { type: 'string', default: 'GET' },
      body: { type: 'string' },
    },
  });
  const service = values.service as Service;
  const [n, c] = [Number(values.requests), Number(values.connections)];
  if (!SERVICES.includes(service) || !values.path?.startsWith('/') || !(n > 0) || !(c > 0)) {
    console.error(USAGE);
    return 2;
  }
  const pid = requireServicePid(service);
  const env = await loadEnv();
  const url = `${env.serviceUrls[service]}${values.path}`;
  const agent = new Agent({ connections: c });
  const headers = { 'x-internal-token': env.internalToken, ...(values.body ? { 'content-type': 'application/json' } : {}) };
  const statuses: Record<number, number> = {};
  const run = async (count: number): Promise<void> => {
    let sent = 0;
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (sent++ < count) {
          const res = await request(url, { method: values.method as 'GET', headers, body: values.body, dispatcher: agent });
          await res.body.text();
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        }
      }),
    );
  };
  await run(Math.ceil(n / 5));
  for (const k of Object.keys(statuses)) {
    delete statuses[Number(k)];
  }
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await run(n);
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = (cpuSeconds(pid) - cpu0) * 1000;
  await agent.close();
  console.log(
    `${values.method} ${url}: ${n} requests, statuses ${JSON.stringify(statuses)}, ${(n / seconds).toFixed(0)} req/s, ` +
      `${service} CPU ${(cpuMs / n).toFixed(3)} ms per request`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`cpu-per-request: ${(err as Error).message}`);
    process.exit(2);
  },
);
