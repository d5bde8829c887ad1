// The typed storefront client: one openapi-fetch client per service, each typed by the types that
// openapi-typescript generated from that service's committed OpenAPI document (src/generated, by
// `npm run openapi`). Nothing here restates a request, a response or an error code by hand.
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components as CartComponents, paths as CartPaths } from './generated/cart';
import type { components as InventoryComponents, paths as InventoryPaths } from './generated/inventory';
import type { components as OrderComponents, paths as OrderPaths } from './generated/order';
import type { components as PaymentComponents, paths as PaymentPaths } from './generated/payment';
import type { components as UserComponents, paths as UserPaths } from './generated/user';

export type { CartPaths, InventoryPaths, OrderPaths, PaymentPaths, UserPaths };
export type { CartComponents, InventoryComponents, OrderComponents, PaymentComponents, UserComponents };

export type ServiceName = 'user' | 'cart' | 'inventory' | 'order' | 'payment';

export interface ShopClient {
  user: Client<UserPaths>;
  cart: Client<CartPaths>;
  inventory: Client<InventoryPaths>;
  order: Client<OrderPaths>;
  payment: Client<PaymentPaths>;
}

export interface ShopClientOptions {
  /** Base URL of each service, e.g. `{ user: 'http://localhost:3001', … }`. */
  urls: Record<ServiceName, string>;
  /** The session token of POST /auth/login: sent as `Authorization: Bearer …` on every request. */
  token?: string;
  /** The `x-internal-token` secret, for the /admin and /internal routes (operators and tests only). */
  internalToken?: string;
  /** A fetch of your own (undici's, one that records or checks responses, …); default globalThis.fetch. */
  fetch?: ClientOptions['fetch'];
}

/** The error codes of every service's documents (`Error_<code>` component schemas). */
type CodesOf<C> = C extends { schemas: infer S } ? { [K in keyof S]: K extends `Error_${infer Code}` ? Code : never }[keyof S] : never;
export type ShopErrorCode =
  CodesOf<UserComponents> | CodesOf<CartComponents> | CodesOf<InventoryComponents> | CodesOf<OrderComponents> | CodesOf<PaymentComponents>;

/** The clients of the five services; create one per signed-in buyer (it is cheap). */
export function createShopClient(options: ShopClientOptions): ShopClient {
  const headers: Record<string, string> = {};
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  if (options.internalToken) {
    headers['x-internal-token'] = options.internalToken;
  }
  const make = <P extends object>(baseUrl: string): Client<P> => createClient<P>({ baseUrl, headers, fetch: options.fetch });
  return {
    user: make<UserPaths>(options.urls.user),
    cart: make<CartPaths>(options.urls.cart),
    inventory: make<InventoryPaths>(options.urls.inventory),
    order: make<OrderPaths>(options.urls.order),
    payment: make<PaymentPaths>(options.urls.payment),
  };
}

/** The same clients signed in as another buyer (or with another secret). */
export function withToken(options: ShopClientOptions, token: string): ShopClient {
  return createShopClient({ ...options, token });
}

/**
 * The code of an error body (SPEC §9) an operation answered with, or undefined. `error` is what
 * openapi-fetch returns as `error`; its type already lists the codes that operation documents.
 */
export function errorCodeOf<E>(error: E): E extends { error: { code: infer C } } ? C : undefined {
  const code = (error as { error?: { code?: unknown } } | undefined)?.error?.code;
  return (typeof code === 'string' ? code : undefined) as E extends { error: { code: infer C } } ? C : undefined;
}

export type { Middleware };
