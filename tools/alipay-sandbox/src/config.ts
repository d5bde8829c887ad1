/** Sandbox configuration: read from the environment only, validated once at start so a typo
 * fails loudly instead of producing a sandbox that silently rejects every signature. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** The package root (src/ when run by ts-jest, dist/ when built — both sit one level below). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_KEYS_DIR = path.join(PACKAGE_ROOT, 'keys');

/**
 * The sandbox's trades live on the machine, as the databases whose payments refer to them do (the
 * machine's PostgreSQL), not in a checkout: a second checkout on the same machine sees the same
 * databases and so must see the same trades, or the consistency checker finds payments "Alipay has
 * no such trade" for. `$XDG_DATA_HOME/shop/alipay-sandbox`, by default `~/.local/share/…`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_DATA_HOME || path.join(homedir(), '.local', 'share'), 'shop', 'alipay-sandbox');
}

export interface SandboxConfig {
  /** 0 = pick a free port (tests). */
  port: number;
  /** Interface to bind (SANDBOX_HOST, default 0.0.0.0 so containers can reach it). */
  host: string;
  /** Multiplies the notification retry schedule (0.0001 turns 4 min into 24 ms). */
  timeScale: number;
  dataDir: string;
  /** Base URL the browser uses to reach the sandbox (cashier form action, Pay button). Undefined =
   * the URL the server actually listens on, which is what in-process tests on port 0 want. */
  publicUrl?: string;
  appId: string;
  sellerId: string;
  /** PEM: signs responses and notifications ("Alipay's" key). */
  alipayPrivateKey: string;
  /** PEM: verifies the merchant's request signatures. */
  merchantPublicKey: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid alipay-sandbox configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS = {
  port: 3100,
  appId: '2021000000000001',
  sellerId: '2088000000000001',
} as const;

type Env = Record<string, string | undefined>;

/** Builds the config from env vars; collects every problem before throwing one ConfigError. */
export function loadConfig(env: Env = process.env): SandboxConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v === '' ? undefined : v;
  };

  let port: number = DEFAULTS.port;
  const rawPort = str('SANDBOX_PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(`SANDBOX_PORT must be an integer 0-65535, got "${rawPort}"`);
    }
  }

  const host = str('SANDBOX_HOST') ?? '0.0.0.0';

  let timeScale = 1;
  const rawScale = str('SANDBOX_TIME_SCALE');
  if (rawScale !== undefined) {
    timeScale = Number(rawScale);
    if (!Number.isFinite(timeScale) || timeScale <= 0) {
      problems.push(`SANDBOX_TIME_SCALE must be a positive number (e.g. 1 or 0.0001), got "${rawScale}"`);
    }
  }

  // Unset: follow SANDBOX_PORT (http://127.0.0.1:3100 with the default port).
  const publicUrl = str('SANDBOX_PUBLIC_URL') ?? (port > 0 ? `http://127.0.0.1:${port}` : undefined);
  if (publicUrl !== undefined && !isHttpUrl(publicUrl)) {
    problems.push(`SANDBOX_PUBLIC_URL must be an http(s) URL, got "${publicUrl}"`);
  }

  const appId = str('ALIPAY_APP_ID') ?? DEFAULTS.appId;
  if (!/^\d{16}$/.test(appId)) {
    problems.push(`ALIPAY_APP_ID must be 16 digits, got "${appId}"`);
  }
  const sellerId = str('ALIPAY_SELLER_ID') ?? DEFAULTS.sellerId;
  if (!/^2088\d{12}$/.test(sellerId)) {
    problems.push(`ALIPAY_SELLER_ID must be 16 digits starting with 2088, got "${sellerId}"`);
  }

  const alipayPrivateKey = readKey(
    'SANDBOX_ALIPAY_PRIVATE_KEY_PATH',
    str('SANDBOX_ALIPAY_PRIVATE_KEY_PATH') ?? path.join(DEFAULT_KEYS_DIR, 'alipay-private.pem'),
    'private',
    problems,
  );
  const merchantPublicKey = readKey(
    'SANDBOX_MERCHANT_PUBLIC_KEY_PATH',
    str('SANDBOX_MERCHANT_PUBLIC_KEY_PATH') ?? path.join(DEFAULT_KEYS_DIR, 'merchant-public.pem'),
    'public',
    problems,
  );

  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return {
    port,
    host,
    timeScale,
    dataDir: path.resolve(str('SANDBOX_DATA_DIR') ?? defaultDataDir(env)),
    publicUrl: publicUrl?.replace(/\/+$/, ''),
    appId,
    sellerId,
    alipayPrivateKey,
    merchantPublicKey,
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function readKey(envName: string, file: string, kind: 'private' | 'public', problems: string[]): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${envName}: cannot read ${file} (${(err as Error).message})`);
    return '';
  }
  try {
    // Parse now so a wrong file (e.g. a public key where a private key belongs) fails at start.
    if (kind === 'private') {
      createPrivateKey(pem);
    } else {
      createPublicKey(pem);
    }
  } catch (err) {
    problems.push(`${envName}: ${file} is not a valid RSA ${kind} key PEM (${(err as Error).message})`);
  }
  return pem;
}
