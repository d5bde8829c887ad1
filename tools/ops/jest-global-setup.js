// Runs once before the whole jest run: infrastructure up (databases, Redis, Kafka), then a fresh
// migrated template database per service that each test file clones (CREATE DATABASE … TEMPLATE).
const path = require('node:path');

module.exports = async function globalSetup() {
  process.env.TZ = 'UTC';
  const { resolveEnv, servicesWithDatabase, migrationsDir } = await import(path.join(__dirname, 'env.mjs'));
  const { infraUp } = await import(path.join(__dirname, 'infra.mjs'));
  const db = require(path.join(__dirname, '../../packages/shared/dist/db/index.js'));
  const env = resolveEnv();
  await infraUp(env);
  for (const svc of servicesWithDatabase(env)) {
    const base = db.databaseNameOf(svc.databaseUrl);
    // Test databases of earlier runs (also of crashed ones) go first.
    await db.withAdminClient(svc.databaseUrl, async (c) => {
      const { rows } = await c.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${base}\\_t\\_%`]);
      for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    });
    const templateUrl = db.withDatabase(svc.databaseUrl, `${base}_template`);
    await db.dropDatabase(templateUrl);
    await db.ensureDatabase(templateUrl);
    await db.migrate(templateUrl, migrationsDir(svc.name));
    process.env[`${svc.dbEnv}_TEMPLATE`] = templateUrl;
  }
  for (const [k, v] of Object.entries(env)) if (process.env[k] === undefined) process.env[k] = v;
};
