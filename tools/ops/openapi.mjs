#!/usr/bin/env node
// `npm run openapi`: each service's OpenAPI document as its app builds it (the same function that
// serves /docs-json), written to docs/openapi/<service>.json, plus docs/openapi/storefront.json (the
// five public APIs in one reference), then the typed client generated from them (packages/client).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { resolveEnv, ROOT, SERVICES } from './env.mjs';
import { generateAll } from './generate.mjs';
import { bin, main, run } from './run.mjs';

const require = createRequire(join(ROOT, 'package.json'));
export const OPENAPI_DIR = join(ROOT, 'docs', 'openapi');

/** The document of one service, from its app (created, never listening; closed again). */
async function documentOf(name, env) {
  const { openApiDocumentOf } = require('@shop/shared/nest');
  const created = require(join(ROOT, 'services', name, 'dist', 'create-app.js'));
  const create = Object.values(created).find((f) => typeof f === 'function');
  const { app } = await create(env);
  try {
    return openApiDocumentOf(app);
  } finally {
    await app.close();
  }
}

export async function writeDocuments() {
  const env = { ...resolveEnv(), APP_ENV: 'development', LOG_LEVEL: 'silent' };
  const { mergeStorefrontDocument } = require('@shop/shared/nest');
  mkdirSync(OPENAPI_DIR, { recursive: true });
  const docs = {};
  for (const svc of SERVICES) {
    docs[svc.name] = await documentOf(svc.name, env);
    writeFileSync(join(OPENAPI_DIR, `${svc.name}.json`), `${JSON.stringify(docs[svc.name], null, 2)}\n`);
  }
  writeFileSync(join(OPENAPI_DIR, 'storefront.json'), `${JSON.stringify(mergeStorefrontDocument(docs), null, 2)}\n`);
  console.log(`[openapi] ${Object.keys(docs).length} service documents and storefront.json written to docs/openapi`);
}

export function generateClient() {
  run(process.execPath, [join(ROOT, 'packages', 'client', 'scripts', 'generate.mjs')]);
}

if (process.argv[1]?.endsWith('openapi.mjs')) {
  main('openapi', async () => {
    generateAll();
    run(bin('tsc'), ['-b', ...SERVICES.map((s) => `services/${s.name}`)]);
    await writeDocuments();
    generateClient();
    run(bin('tsc'), ['-b', 'packages/client']);
    // kafkajs/ioredis handles of the closed apps must not keep the script alive.
    process.exit(0);
  });
}
