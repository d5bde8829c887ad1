import { cloneDatabase, dropDatabase, ensureDatabase, findSchemaDrift, migrate, withDatabase } from '@shop/shared/db';
import { uniqueName } from '@shop/shared/testing';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PrismaClient as InventoryClient } from '../../services/inventory/src/generated/prisma/client';
import { PrismaClient as OrderClient } from '../../services/order/src/generated/prisma/client';
import { PrismaClient as PaymentClient } from '../../services/payment/src/generated/prisma/client';
import { PrismaClient as UserClient } from '../../services/user/src/generated/prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';

const templateOf = (svc: string) => process.env[`${svc}_DATABASE_URL_TEMPLATE`]!;

describe('schema.prisma and the SQL migrations agree (drift guard)', () => {
  type AnyClient = new (options: { adapter: PrismaPg }) => object;
  const clients: Record<'USER' | 'INVENTORY' | 'ORDER' | 'PAYMENT', AnyClient> = {
    USER: UserClient,
    INVENTORY: InventoryClient,
    ORDER: OrderClient,
    PAYMENT: PaymentClient,
  };
  it.each(Object.keys(clients) as Array<keyof typeof clients>)('%s', async (svc) => {
    const Client = clients[svc];
    const prisma = new Client({ adapter: new PrismaPg({ connectionString: templateOf(svc) }) });
    // The generated client carries the models of schema.prisma (tables, columns, types).
    const model = (prisma as unknown as { _runtimeDataModel: Parameters<typeof findSchemaDrift>[1] })._runtimeDataModel;
    expect(Object.keys(model.models).length).toBeGreaterThan(0);
    expect(await findSchemaDrift(templateOf(svc), model)).toEqual([]);
  });

  it('detects drift: a column added by SQL alone is reported', async () => {
    const url = await cloneDatabase(templateOf('USER'), `shop_user_t_${uniqueName('drift').slice(2)}`);
    try {
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query('ALTER TABLE users ADD COLUMN nickname TEXT');
      await c.end();
      const prisma = new UserClient({ adapter: new PrismaPg({ connectionString: url }) });
      const model = (prisma as unknown as { _runtimeDataModel: Parameters<typeof findSchemaDrift>[1] })._runtimeDataModel;
      expect(await findSchemaDrift(url, model)).toEqual(['column users.nickname exists in the database but not in schema.prisma']);
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
