/** The system under test for the benchmarks that need one: is it up, start it (npm start's script), stop it. */
import { loadEnv } from '@shop/consistency';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');

export async function systemReady(env: Awaited<ReturnType<typeof loadEnv>>): Promise<boolean> {
  const urls = [...Object.values(env.serviceUrls).map((u) => `${u}/health/ready`), `${env.sandboxUrl}/health/live`];
  const ok = await Promise.all(
    urls.map((u) =>
      fetch(u, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      ),
    ),
  );
  return ok.every(Boolean);
}

/** `node tools/ops/start.mjs` in its own process group, its output in `<out>/system.log`; resolves when every service is ready. */
export async function startSystem(env: Awaited<ReturnType<typeof loadEnv>>, out: string): Promise<ChildProcess> {
  const log = path.join(out, 'system.log');
  process.stderr.write(`[bench] no system answers: starting one (npm start), log in ${log}\n`);
  mkdirSync(out, { recursive: true }); // .cache does not exist yet in a fresh clone
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'ops', 'start.mjs')], {
    cwd: ROOT,
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  const deadline = Date.now() + 300_000; // the build and migrations run first
  while (!(await systemReady(env))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = readFileSync(log, 'utf8').split('\n').slice(-20).join('\n');
      await stopSystem(child);
      throw new Error(`the system did not become ready (exit ${child.exitCode}); last lines of ${log}:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 500)); // readiness poll, bounded by the deadline
  }
  return child;
}

/** Ctrl-C, as a person would: start.mjs stops every service and waits for them. */
export async function stopSystem(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGINT');
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}
