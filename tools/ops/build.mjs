#!/usr/bin/env node
// `npm run build`: Prisma clients, then every package compiled with TypeScript project references.
import { generateAll } from './generate.mjs';
import { bin, main, run } from './run.mjs';

export function buildAll() {
  generateAll();
  run(bin('tsc'), ['-b']);
  console.log('[build] compiled');
}

if (process.argv[1]?.endsWith('build.mjs')) main('build', async () => buildAll());
