import { cloneDatabase, dropDatabase, ensureDatabase, findSchemaDrift, migrate, parsePrismaSchema, withDatabase } from '@shop/shared/db';
import { uniqueName } from '@shop/shared/testing';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const templateOf = (svc: string) => process.env[`${svc}_DATABASE_URL_TEMPLATE`]!;

describe('schema.prisma and the SQL migrations agree (drift guard)', () => {
  const services = { USER: 'user', INVENTORY: 'inventory', ORDER: 'order', PAYMENT: 'payment' } as const;
  const schemaOf = (svc: keyof typeof services) =>
    parsePrismaSchema(readFileSync(join(__dirname, '../../services', services[svc], 'prisma/schema.prisma'), 'utf8'));

  it.each(Object.keys(services) as Array<keyof typeof services>)('%s', async (svc) => {
    const schema = schemaOf(svc);
    expect(schema.models.length).toBeGreaterThan(0);
    expect(await findSchemaDrift(templateOf(svc), schema)).toEqual([]);
  });

  // Each kind of drift the guard knows, made by SQL on a clone of the migrated database.
  it.each([
    [
      'a column added by SQL alone',
      'ALTER TABLE users ADD COLUMN nickname TEXT',
      ['column users.nickname exists in the database but not in schema.prisma'],
    ],
    [
      'a required column made nullable',
      'ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL',
      ['column users.password_hash is NULL in the database but required in schema.prisma'],
    ],
    [
      'a default dropped',
      'ALTER TABLE addresses ALTER COLUMN is_default DROP DEFAULT',
      ['column addresses.is_default has DEFAULT none in the database but @default(false) in schema.prisma'],
    ],
    [
      'a default changed',
      'ALTER TABLE addresses ALTER COLUMN is_default SET DEFAULT true',
      ['column addresses.is_default has DEFAULT true in the database but @default(false) in schema.prisma'],
    ],
    [
      'a default the schema does not declare',
      "ALTER TABLE addresses ALTER COLUMN region SET DEFAULT ''",
      ["column addresses.region has DEFAULT ''::character varying in the database but no @default in schema.prisma"],
    ],
    [
      'a varchar length changed',
      'ALTER TABLE users ALTER COLUMN username TYPE VARCHAR(40)',
      ['column users.username is character varying(40) in the database but @db.VarChar(32) in schema.prisma'],
    ],
    [
      'an index dropped',
      'DROP INDEX addresses_user_id_idx',
      ['table addresses: index(user_id) is declared in schema.prisma but missing from the migrations'],
    ],
    [
      'an index the schema does not declare',
      'CREATE INDEX users_created_at_idx ON users (created_at DESC)',
      ['table users: index(created_at DESC) exists in the database but not in schema.prisma'],
    ],
    [
      'a unique constraint dropped',
      'DROP INDEX users_username_key',
      ['table users: unique(username) is declared in schema.prisma but missing from the migrations'],
    ],
    [
      "a foreign key's ON DELETE changed",
      'ALTER TABLE addresses DROP CONSTRAINT addresses_user_id_fkey, ADD CONSTRAINT addresses_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)',
      [
        'table addresses: foreign key (user_id) → users(id) ON DELETE CASCADE is declared in schema.prisma but missing from the migrations',
        'table addresses: foreign key (user_id) → users(id) ON DELETE NO ACTION exists in the database but not in schema.prisma',
      ],
    ],
  ])('detects %s', async (_what, sql, expected) => {
    const url = await cloneDatabase(templateOf('USER'), `shop_user_t_${uniqueName('drift').slice(2)}`);
    try {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(sql);
      await c.end();
      expect(await findSchemaDrift(url, schemaOf('USER'))).toEqual(expected);
    } finally {
      await dropDatabase(url);
    }
  });

  it('leaves what schema.prisma cannot declare to the migrations: partial indexes and CHECKs', async () => {
    const url = await cloneDatabase(templateOf('USER'), `shop_user_t_${uniqueName('drift').slice(2)}`);
    try {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query("CREATE INDEX users_recent_idx ON users (id) WHERE created_at > '2026-01-01'");
      await c.query('ALTER TABLE users ADD CONSTRAINT users_id_positive CHECK (id > 0)');
      await c.end();
      expect(await findSchemaDrift(url, schemaOf('USER'))).toEqual([]);
    } finally {
      await dropDatabase(url);
    }
  });
});

describe('migration runner', () => {
  let dir: string;
  let url: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    url = withDatabase(templateOf('USER'), `shop_user_t_${uniqueName('mig').slice(2)}`);
    await ensureDatabase(url);
  });
  afterEach(() => dropDatabase(url));

  const write = (name: string, sql: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  };

  it('applies new files once, in order, recording them like Prisma; concurrent runners apply each file once', async () => {
    write('001_a', 'CREATE TABLE a (id int);');
    write('002_b', 'CREATE TABLE b (id int); INSERT INTO a VALUES (1);');
    const results = await Promise.all([migrate(url, dir), migrate(url, dir), migrate(url, dir)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(['001_a', '002_b']);
    const c = new Client({ connectionString: url });
    await c.connect();
    const { rows } = await c.query(
      'SELECT migration_name, length(checksum) AS len, finished_at IS NOT NULL AS done FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows).toEqual([
      { migration_name: '001_a', len: 64, done: true },
      { migration_name: '002_b', len: 64, done: true },
    ]);
    expect((await c.query('SELECT count(*)::int AS n FROM a')).rows[0].n).toBe(1);
    await c.end();
    expect(await migrate(url, dir)).toEqual({ applied: [], skipped: ['001_a', '002_b'] });
  });

  it('refuses a file edited after it was applied', async () => {
    write('001_a', 'CREATE TABLE a (id int);');
    await migrate(url, dir);
    write('001_a', 'CREATE TABLE a (id bigint);');
    await expect(migrate(url, dir)).rejects.toThrow(/001_a was edited after it was applied/);
  });

  it('a failing file rolls back entirely and is not recorded', async () => {
    write('001_bad', 'CREATE TABLE x (id int); SELECT * FROM missing_table;');
    await expect(migrate(url, dir)).rejects.toThrow(/001_bad failed/);
    const c = new Client({ connectionString: url });
    await c.connect();
    expect((await c.query("SELECT to_regclass('x') AS t")).rows[0].t).toBeNull();
    expect((await c.query('SELECT count(*)::int AS n FROM _prisma_migrations')).rows[0].n).toBe(0);
    await c.end();
  });
});
