// Small helpers for the ops scripts: run a command inheriting stdio, fail loudly.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './env.mjs';

export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...options, env: { ...process.env, ...(options.env ?? {}) } });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  }
}

export function bin(name) {
  return `${ROOT}/node_modules/.bin/${name}`;
}

export function main(name, fn) {
  fn().then(
    () => undefined,
    (err) => {
      console.error(`[${name}] ${err.message}`);
      process.exit(1);
    },
  );
}

/**
 * `npm start` / `npm test` on a fresh clone: install exactly the lockfile (`npm ci`) when
 * node_modules is missing or older than package-lock.json, so the two README commands suffice.
 */
export function ensureInstalled() {
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  const lock = join(ROOT, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('[install] node_modules missing or older than package-lock.json: npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
