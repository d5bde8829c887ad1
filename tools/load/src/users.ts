import { runAll } from './runner';
import { Storefront } from './api';

export interface Buyer {
  index: number;
  token: string;
  addressId: number;
}

const PASSWORD = 'load-password-1';
const ADDRESS = { receiver: 'Load Buyer', phone: '+86 138 0000 0000', region: 'Zhejiang Hangzhou', detail: 'No. 1 Load Road' };

/**
 * N buyers, each registered (or already there from an earlier run with the same seed), logged in
 * and holding one address, set up with bounded concurrency (password hashing is deliberately slow).
 */
export async function prepareBuyers(shop: Storefront, count: number, seed: number, concurrency = 8): Promise<Buyer[]> {
  const buyers: Buyer[] = [];
  await runAll(count, { kind: 'closed', concurrency }, async (i) => {
    buyers.push(await prepareBuyer(shop, `load_${seed}_${i}`, i));
  });
  return buyers.sort((a, b) => a.index - b.index);
}

async function prepareBuyer(shop: Storefront, username: string, index: number): Promise<Buyer> {
  const { user } = shop.targets;
  const reg = await shop.call('POST /auth/register', 'POST', `${user}/auth/register`, { body: { username, password: PASSWORD } });
  if (reg.status !== 201 && reg.status !== 409) {
    throw new Error(`register ${username}: ${reg.status}`);
  }
  const login = await shop.call<{ token: string }>('POST /auth/login', 'POST', `${user}/auth/login`, {
    body: { username, password: PASSWORD },
  });
  if (login.status !== 200) {
    throw new Error(`login ${username}: ${login.status}`);
  }
  const token = login.body.token;
  const list = await shop.call<Array<{ id: number }>>('GET /users/me/addresses', 'GET', `${user}/users/me/addresses`, { token });
  let addressId = list.status === 200 ? list.body[0]?.id : undefined;
  if (addressId === undefined) {
    const created = await shop.call<{ id: number }>('POST /users/me/addresses', 'POST', `${user}/users/me/addresses`, {
      token,
      body: ADDRESS,
    });
    if (created.status !== 201) {
      throw new Error(`address for ${username}: ${created.status}`);
    }
    addressId = created.body.id;
  }
  return { index, token, addressId };
}
