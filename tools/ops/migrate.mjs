#!/usr/bin/env node
// `npm run migrate`: applies each service's committed SQL migrations to its database.
import { createRequire } from 'node:module';
import { migrationsDir, resolveEnv, servicesWithDatabase } from './env.mjs';

const require = createRequire(import.meta.url);

export async function migrateAll(env = resolveEnv(), log = (m) => console.log(`[migrate] ${m}`)) {
  const { migrate } = require('../../packages/shared/dist/db/index.js');
  for (const svc of servicesWithDatabase(env)) {
    const { applied, skipped } = await migrate(svc.databaseUrl, migrationsDir(svc.name));
    log(`${svc.name}: ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${skipped.length} already applied`);
  }
}

if (process.argv[1]?.endsWith('migrate.mjs')) {
  migrateAll().catch((err) => {
    console.error(`[migrate] ${err.message}`);
    process.exit(1);
  });
}
