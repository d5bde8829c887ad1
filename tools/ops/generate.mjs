#!/usr/bin/env node
// `npm run generate`: Prisma Client for each service. The schema engine cannot be downloaded on
// our machines and `generate` does not need it; /bin/false (never /bin/true, which would make
// migrate/db commands "succeed" doing nothing) makes any accidental use fail loudly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SERVICES } from './env.mjs';
import { bin, main, run } from './run.mjs';

export function generateAll() {
  for (const svc of SERVICES) {
    const schema = join(ROOT, 'services', svc.name, 'prisma', 'schema.prisma');
    if (existsSync(schema)) {
      run(bin('prisma'), ['generate', '--schema', schema], {
        env: { PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
  }
  console.log('[generate] Prisma clients generated');
}

if (process.argv[1]?.endsWith('generate.mjs')) main('generate', async () => generateAll());
