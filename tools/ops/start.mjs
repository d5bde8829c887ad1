#!/usr/bin/env node
// `npm start`: the whole system on this machine. Builds, brings infrastructure up (databases,
// Redis check, Kafka provisioned if absent), migrates, seeds, then runs every service and the
// Alipay sandbox with prefixed logs. Ctrl-C stops them all (gracefully, then forcefully).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildAll } from './build.mjs';
import { infraUp } from './infra.mjs';
import { migrateAll } from './migrate.mjs';
import { ROOT, resolveEnv, SERVICES } from './env.mjs';
import { seed } from './seed.mjs';
import { ensureInstalled } from './run.mjs';

const COLORS = [36, 32, 33, 35, 34, 31];

function processes() {
  const list = SERVICES.map((s) => ({ name: s.name, entry: join(ROOT, 'services', s.name, 'dist', 'main.js') }));
  const sandbox = join(ROOT, 'tools', 'alipay-sandbox', 'dist', 'main.js');
  if (existsSync(sandbox)) list.push({ name: 'alipay-sandbox', entry: sandbox });
  return list;
}

function prefixLines(stream, prefix, out) {
  let buffer = '';
  stream.on('data', (chunk) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop();
    // One write per chunk, not per line: under load a chunk holds many access-log lines.
    if (lines.length > 0) out.write(lines.map((line) => `${prefix} ${line}\n`).join(''));
  });
}

async function main() {
  const env = resolveEnv();
  ensureInstalled();
  buildAll();
  await infraUp(env);
  await migrateAll(env);
  await seed(env);

  // CPU_PROFILE=inventory,order: those processes write a V8 CPU profile (open it in Chrome DevTools
  // or speedscope) into .cache/profiles when they stop, i.e. on Ctrl-C.
  const profiled = new Set((env.CPU_PROFILE ?? '').split(',').filter(Boolean));
  const profileDir = join(ROOT, '.cache', 'profiles');
  const width = Math.max(...processes().map((p) => p.name.length));
  const children = processes().map((p, i) => {
    const prefix = `\x1b[${COLORS[i % COLORS.length]}m${p.name.padEnd(width)} |\x1b[0m`;
    const flags = profiled.has(p.name) ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const child = spawn(process.execPath, [...flags, p.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixLines(child.stdout, prefix, process.stdout);
    prefixLines(child.stderr, prefix, process.stderr);
    child.on('exit', (code, signal) => {
      process.stdout.write(`${prefix} exited (${signal ?? code})\n`);
      if (!stopping) stop(1);
    });
    return child;
  });

  let stopping = false;
  function stop(code = 0) {
    if (stopping) return;
    stopping = true;
    console.log('\n[start] stopping all services …');
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    }, 10000);
    force.unref();
    Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))))).then(() => {
      console.log('[start] all stopped (Kafka keeps running; `npm run infra:down` stops it)');
      process.exit(code);
    });
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const ports = SERVICES.map((s) => `${s.name} :${env[s.portEnv] ?? s.port}`).join(', ');
  console.log(`[start] ${ports}, alipay-sandbox :${env.SANDBOX_PORT ?? 3100} — Ctrl-C stops all`);
}

main().catch((err) => {
  console.error(`[start] ${err.message}`);
  process.exit(1);
});
