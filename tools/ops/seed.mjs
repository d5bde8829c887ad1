#!/usr/bin/env node
// `npm run seed`: demo data, idempotent (running it twice changes nothing).
// A demo user `demo` / `demo-password` with an address, and a handful of SKUs with small stock
// so that races are easy to provoke by hand.
import { createRequire } from 'node:module';
import { resolveEnv } from './env.mjs';
import { main } from './run.mjs';

const require = createRequire(import.meta.url);

export const DEMO_SKUS = [
  { id: 1, spuId: 1, title: 'Mechanical keyboard (red switches)', price: 39900, stock: 50 },
  { id: 2, spuId: 1, title: 'Mechanical keyboard (brown switches)', price: 39900, stock: 20 },
  { id: 3, spuId: 2, title: 'Wireless mouse', price: 12900, stock: 100 },
  { id: 4, spuId: null, title: 'USB-C cable 1 m', price: 1990, stock: 500 },
  { id: 5, spuId: 3, title: 'Limited edition desk mat', price: 8880, stock: 5 },
  { id: 6, spuId: null, title: 'Flash sale: headphones', price: 9900, stock: 10 },
];

async function withClient(url, fn) {
  const { Client } = require('pg'); // lazily: start.mjs may install node_modules first
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function seed(env = resolveEnv(), log = (m) => console.log(`[seed] ${m}`)) {
  await withClient(env.INVENTORY_DATABASE_URL, async (c) => {
    for (const s of DEMO_SKUS) {
      await c.query(`INSERT INTO skus (id, spu_id, title, price, stock) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, [
        s.id,
        s.spuId,
        s.title,
        s.price,
        s.stock,
      ]);
    }
    // Explicit ids above must not collide with ids the sequence hands out later.
    await c.query(`SELECT setval(pg_get_serial_sequence('skus', 'id'), GREATEST((SELECT max(id) FROM skus), 1))`);
  });
  const { PasswordHasher } = require('../../services/user/dist/auth/password-hasher.js');
  await withClient(env.USER_DATABASE_URL, async (c) => {
    const hash = await new PasswordHasher(16384).hash('demo-password');
    const user = await c.query(
      `INSERT INTO users (username, password_hash) VALUES ('demo', $1) ON CONFLICT (username) DO NOTHING RETURNING id`,
      [hash],
    );
    if (user.rowCount) {
      await c.query(
        `INSERT INTO addresses (user_id, receiver, phone, region, detail, is_default)
         VALUES ($1, 'Demo Buyer', '+86 138 0000 0000', 'Zhejiang Hangzhou', 'No. 1 Demo Road', true)`,
        [user.rows[0].id],
      );
    }
  });
  log(`demo user "demo" / "demo-password", ${DEMO_SKUS.length} demo SKUs`);
}

if (process.argv[1]?.endsWith('seed.mjs')) main('seed', () => seed());
