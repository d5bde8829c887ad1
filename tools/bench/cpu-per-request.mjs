#!/usr/bin/env node
// CPU per request of ONE endpoint of a running service (npm start), read from /proc/<pid>/stat of
// the service that owns the URL's port (the development ports 3001-3005), N requests over C
// keep-alive connections. Used for the per-request figures in docs/benchmarks.md:
//   node tools/bench/cpu-per-request.mjs http://127.0.0.1:3003/nope 3000 8
//   node tools/bench/cpu-per-request.mjs "http://127.0.0.1:3003/skus?ids=1" 3000 8
// Optional 4th and 5th arguments: method and JSON body. Sends the development INTERNAL_TOKEN.
import { Agent, request } from 'undici';
import { readFileSync, readdirSync } from 'node:fs';
const [url, n, conc, method = 'GET', bodyStr] = process.argv.slice(2);
const svc = new URL(url).port;
const pidOf = (name) =>
  readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .find((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(`services/${name}/dist/main.js`);
      } catch {
        return false;
      }
    });
const names = { 3001: 'user', 3002: 'cart', 3003: 'inventory', 3004: 'order', 3005: 'payment' };
const pid = pidOf(names[svc]);
const cpu = () => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
};
const agent = new Agent({ connections: Number(conc) });
const headers = { 'x-internal-token': 'dev-internal-token-change-me', 'content-type': 'application/json' };
let done = 0,
  codes = {};
const c0 = cpu(),
  t0 = Date.now();
await Promise.all(
  Array.from({ length: Number(conc) }, async () => {
    while (done < Number(n)) {
      done++;
      const r = await request(url, { method, headers, body: bodyStr, dispatcher: agent });
      codes[r.statusCode] = (codes[r.statusCode] || 0) + 1;
      await r.body.text();
    }
  }),
);
const ms = Date.now() - t0,
  c = cpu() - c0;
console.log(JSON.stringify(codes), 'req/s', ((Number(n) / ms) * 1000).toFixed(0), 'CPU ms/req', (c / Number(n)).toFixed(3));
