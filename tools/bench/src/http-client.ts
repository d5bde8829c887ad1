#!/usr/bin/env node
/**
 * The service-to-service HTTP client (issue 9): CPU per call, client and server together, of the
 * shared InternalClient (undici pool.request over keep-alive) beside Node's fetch, against one tiny
 * in-process server, in the same run. Every order makes several such calls in the order service.
 */
import { InternalClient } from '@shop/shared/nest';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

interface Row {
  client: 'InternalClient (undici pool)' | 'fetch';
  calls: number;
  cpuMicrosPerCall: number;
  callsPerSecond: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { calls: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '32' }, json: { type: 'string' } },
  });
  const [calls, concurrency] = [Number(values.calls), Number(values.concurrency)];
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"id":1,"price":1990,"items":[1,2,3]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new InternalClient('bench', url, 'token');
  const viaFetch = async (): Promise<unknown> => {
    const res = await fetch(`${url}/skus/1`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    return JSON.parse(await res.text()) as unknown;
  };
  const rows: Row[] = [];
  try {
    // Twice each, interleaved: the first round also warms the JIT.
    for (const round of [0, 1]) {
      for (const [name, call] of [
        ['InternalClient (undici pool)', () => client.call('/skus/1')],
        ['fetch', viaFetch],
      ] as const) {
        let next = 0;
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next++ < calls) {
              await call();
            }
          }),
        );
        const cpu = process.cpuUsage(cpu0);
        if (round === 1) {
          rows.push({
            client: name,
            calls,
            cpuMicrosPerCall: Math.round((cpu.user + cpu.system) / calls),
            callsPerSecond: Math.round(calls / ((performance.now() - t0) / 1000)),
          });
        }
      }
    }
  } finally {
    await client.close();
    server.close();
  }
  const [pool, fetchRow] = rows;
  console.log(`service-to-service HTTP client, ${calls} calls at ${concurrency} in flight (client and server in this one process)`);
  for (const r of rows) {
    console.log(
      `  ${r.client.padEnd(30)} ${String(r.cpuMicrosPerCall).padStart(5)} µs CPU/call  ${String(r.callsPerSecond).padStart(6)} calls/s`,
    );
  }
  console.log(`  fetch / InternalClient CPU per call: ${(fetchRow.cpuMicrosPerCall / pool.cpuMicrosPerCall).toFixed(2)}x`);
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), concurrency, rows }, null, 2));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench:http-client: ${(err as Error).message}`);
    process.exit(2);
  },
);
