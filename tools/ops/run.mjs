// Small helpers for the ops scripts: run a command inheriting stdio, fail loudly.
import { spawnSync } from 'node:child_process';
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
