#!/usr/bin/env node
/**
 * A CPU profile of a RUNNING service over a window you choose (`npm start`'s processes), without a
 * restart: `npm start`'s CPU_PROFILE flag writes a profile only at exit, so it always mixes start-up,
 * warm-up and whatever ran after the load. This opens the process's inspector (SIGUSR1, Node's own
 * way), records `--seconds` of samples over the DevTools protocol, closes the inspector again and
 * writes the profile (open it in Chrome DevTools or speedscope), then prints where the busy time
 * went: by package and by function (self time). Run it while a benchmark is in its measured part:
 *
 *   npm run profile -- --service inventory --seconds 6 [--out FILE] [--top 25]
 *
 * One process at a time: Node's inspector listens on 127.0.0.1:9229.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { WebSocket } from 'undici';
import { SERVICES, Service, requireServicePid } from './proc';

const USAGE = `usage: npm run profile -- --service ${SERVICES.join('|')} [--seconds 6] [--out FILE] [--top 25]`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      service: { type: 'string' },
      seconds: { type: 'string', default: '6' },
      out: { type: 'string' },
      top: { type: 'string', default: '25' },
    },
  });
  const service = values.service as Service;
  const seconds = Number(values.seconds);
  if (!SERVICES.includes(service) || !(seconds > 0)) {
    console.error(USAGE);
    return 2;
  }
  const pid = requireServicePid(service);
  const profile = await record(pid, seconds);
  const out = values.out ?? `${service}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`;
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${out}: ${service} (pid ${pid}), ${seconds} s\n${summarize(profile, Number(values.top))}`);
  return 0;
}

/** Opens the inspector of `pid`, profiles for `seconds`, closes the inspector. */
async function record(pid: number, seconds: number): Promise<CpuProfile> {
  // undici's WebSocket does not hold the event loop open while a reply is on its way (the profile
  // is megabytes): without this the process would exit, code 0, waiting for Profiler.stop.
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    return await profileOver(pid, seconds);
  } finally {
    clearInterval(keepAlive);
  }
}

async function profileOver(pid: number, seconds: number): Promise<CpuProfile> {
  process.kill(pid, 'SIGUSR1');
  const target = await inspectorTarget();
  const ws = new WebSocket(target);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`cannot connect to ${target}`)));
  });
  let id = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (e: { data: unknown }) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (m.id !== undefined) {
      waiting.get(m.id)?.(m.result);
      waiting.delete(m.id);
    }
  });
  const send = <T>(method: string, params: object = {}): Promise<T> =>
    new Promise((resolve) => {
      waiting.set(++id, resolve as (r: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  try {
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 1000 });
    await send('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const { profile } = await send<{ profile: CpuProfile }>('Profiler.stop');
    // Leave the process as it was: no inspector port open (a CommonJS service has mainModule). The
    // inspector closes under this very session, so no reply comes: wait for the socket to drop.
    const dropped = new Promise<void>((resolve) => ws.addEventListener('close', () => resolve()));
    void send('Runtime.evaluate', { expression: "process.mainModule.require('node:inspector').close()" });
    await Promise.race([dropped, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return profile;
  } finally {
    ws.close();
  }
}

async function inspectorTarget(): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const list = (await (await fetch('http://127.0.0.1:9229/json/list')).json()) as Array<{ webSocketDebuggerUrl: string }>;
      return list[0].webSocketDebuggerUrl;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`the inspector did not open on 127.0.0.1:9229 (${(err as Error).message})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Busy time (idle excluded) by package and by function, self time, largest first. */
export function summarize(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((nodeId, i) => selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [nodeId, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(nodeId)!.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const where = /^\(.*\)$/.test(functionName) ? functionName : packageOf(url);
    byPackage.set(where, (byPackage.get(where) ?? 0) + us);
    const fn = `${functionName || '(anonymous)'} ${packageOf(url)}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${((100 * us) / Math.max(1, busy)).toFixed(1).padStart(5)} %  ${k}`);
  return [
    `busy ${(busy / 1000).toFixed(0)} ms of ${((busy + idle) / 1000).toFixed(0)} ms sampled`,
    '-- by package (self time)',
    ...list(byPackage),
    '-- by function (self time)',
    ...list(byFunction),
  ].join('\n');
}

/** `node_modules/<pkg>` → pkg; our code → services/<name>/<folder>; node internals → node:<module>. */
export function packageOf(url: string): string {
  if (!url) {
    return '(native)';
  }
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) {
    return dep[1];
  }
  if (url.startsWith('node:')) {
    return `node:${url.slice(5).split('/')[0]}`;
  }
  const ours = /((?:services|packages|tools)\/[^/]+)\/dist\/([^/]+)/.exec(url);
  return ours ? `${ours[1]}/${ours[2].replace(/\.js$/, '')}` : url;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`profile: ${(err as Error).message}`);
      process.exit(2);
    },
  );
}
