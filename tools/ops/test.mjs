#!/usr/bin/env node
// `npm test`: build and type-check everything (tests included), lint, then the whole jest suite —
// unit, integration and end-to-end — against the real PostgreSQL, Redis and Kafka (jest's global
// setup provisions them: see tools/ops/jest-global-setup.js). Extra arguments go to jest.
import { buildAll } from './build.mjs';
import { bin, ensureInstalled, main, run } from './run.mjs';

main('test', async () => {
  ensureInstalled();
  buildAll();
  run(bin('tsc'), ['-p', 'test']);
  if (process.env.SKIP_LINT !== '1') {
    run(bin('eslint'), ['.', '--max-warnings=0']);
  }
  run(bin('jest'), ['--ci', ...process.argv.slice(2)], { env: { TZ: 'UTC' } });
});
