// The system as REAL OS processes, the way production runs it: `node services/<name>/dist/main.js`
// per instance and `node tools/alipay-sandbox/dist/main.js`, each on a free port, all pointed at
// databases, a Redis key prefix and Kafka topics of their own. Build first (`npx tsc -b`).
import {
  createTestDatabase,
  createTestTopics,
  DatabaseService,
  registerServedContract,
  uniqueRedisPrefix,
  unregisterContract,
} from '@shop/shared/testing';
import { existsSync, readdirSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_TOKEN, ServiceName } from '../../support/system';
import { Instance, ManagedProcess, onProcessExit, ROOT } from './managed-process';

export { logsOf, runNode, ROOT } from './managed-process';
export type { Instance } from './managed-process';
export type { ServiceName } from '../../support/system';

export const SERVICE_NAMES: readonly ServiceName[] = ['user', 'cart', 'inventory', 'order', 'payment'];
type DbService = 'user' | 'inventory' | 'order' | 'payment';
const DATABASES: Record<DbService, DatabaseService> = { user: 'USER', inventory: 'INVENTORY', order: 'ORDER', payment: 'PAYMENT' };

export interface ProcessSystemOptions {
  /** Extra env for every process (services and sandbox). */
  env?: Record<string, string>;
  /** Processes per service (default 1 each). */
  instances?: Partial<Record<ServiceName, number>>;
  /** Extra env for every instance of one service (over `env`). */
  envFor?: Partial<Record<ServiceName, Record<string, string>>>;
  /** SANDBOX_TIME_SCALE (default 0.001: Alipay's 4 min retry becomes 240 ms). */
  sandboxTimeScale?: number;
  /** LOG_LEVEL of every process (default 'info'); logs go to one file per process. */
  logLevel?: string;
  readyTimeoutMs?: number;
}

export interface ProcessSystem {
  /** Instance 0 of each service. */
  url: Record<ServiceName, string>;
  instances: Record<ServiceName, Instance[]>;
  sandboxUrl: string;
  sandbox: Instance;
  databaseUrl: Record<DbService, string>;
  /** No in-process apps here (real processes); present so a ProcessSystem works where test/support's TestSystem is expected. */
  apps: Record<string, never>;
  redisPrefix: string;
  topicPrefix: string;
  /** The env every service process started from (before per-service and per-instance additions). */
  env: NodeJS.ProcessEnv;
  logDir: string;
  stop(): Promise<void>;
}

const systems = new Set<ProcessSystem>();

// Safety net: whatever a test file forgets, its systems stop and Kafka is thawed when it ends.
if (typeof afterAll === 'function') {
  afterAll(async () => {
    thawKafka();
    await Promise.all([...systems].map((s) => s.stop()));
  }, 60000);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export async function startProcessSystem(options: ProcessSystemOptions = {}): Promise<ProcessSystem> {
  const logDir = mkdtempSync(join(tmpdir(), 'e2e-system-'));
  const drops: Array<() => Promise<void>> = [];
  const processes: ManagedProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await Promise.all(processes.map((p) => p.stop(10000)));
      Object.values(system.instances ?? {}).forEach((list) => list.forEach((i) => unregisterContract(i.url)));
      for (const drop of drops.reverse()) {
        await drop().catch(() => undefined);
      }
      if (process.env.E2E_KEEP_LOGS) {
        console.log(`e2e logs kept in ${logDir}`);
      } else {
        rmSync(logDir, { recursive: true, force: true });
      }
      systems.delete(system);
    })());
  const system = { stop } as ProcessSystem;
  systems.add(system);
  try {
    Object.assign(system, await provision(options, logDir, drops, processes));
    await Promise.all(processes.map((p) => p.waitReady()));
    // Every answer of every instance is checked against the document that instance serves.
    for (const name of SERVICE_NAMES) {
      for (const instance of system.instances[name]) {
        await registerServedContract(instance.url, name);
      }
    }
    return system;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function provision(
  options: ProcessSystemOptions,
  logDir: string,
  drops: Array<() => Promise<void>>,
  processes: ManagedProcess[],
): Promise<Omit<ProcessSystem, 'stop'>> {
  const databaseUrl = {} as Record<DbService, string>;
  for (const [service, db] of Object.entries(DATABASES) as Array<[DbService, DatabaseService]>) {
    const created = await createTestDatabase(db);
    drops.push(created.drop);
    databaseUrl[service] = created.url;
  }
  const topics = await createTestTopics(requireEnv('KAFKA_BROKERS'));
  drops.push(topics.drop);
  const redisPrefix = uniqueRedisPrefix();

  const ports = {} as Record<ServiceName, number[]>;
  for (const name of SERVICE_NAMES) {
    const count = options.instances?.[name] ?? 1;
    ports[name] = await Promise.all(Array.from({ length: count }, () => freePort()));
  }
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const url = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `http://127.0.0.1:${ports[n][0]}`])) as Record<ServiceName, string>;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    APP_ENV: 'development', // the sandbox's keys and app id
    INTERNAL_TOKEN,
    REDIS_KEY_PREFIX: redisPrefix,
    KAFKA_TOPIC_PREFIX: topics.prefix,
    LOG_LEVEL: options.logLevel ?? 'info',
    LOG_FILE: '', // stdout, which is the per-process log file
    PASSWORD_HASH_COST: '1024',
    ...Object.fromEntries((Object.keys(DATABASES) as DbService[]).map((s) => [`${DATABASES[s]}_DATABASE_URL`, databaseUrl[s]])),
    ...Object.fromEntries(SERVICE_NAMES.map((n) => [`${n.toUpperCase()}_SERVICE_URL`, url[n]])),
    PAYMENT_PUBLIC_URL: url.payment,
    ALIPAY_GATEWAY_URL: `${sandboxUrl}/gateway.do`,
    ...(options.env ?? {}),
  };
  const readyTimeoutMs = options.readyTimeoutMs ?? 60000;
  const dataDir = join(logDir, 'sandbox-data');
  mkdirSync(dataDir);
  const sandbox = new ManagedProcess(
    'alipay-sandbox',
    0,
    sandboxPort,
    join(ROOT, 'tools', 'alipay-sandbox', 'dist', 'main.js'),
    {
      ...env,
      SANDBOX_PORT: String(sandboxPort),
      SANDBOX_HOST: '127.0.0.1',
      SANDBOX_DATA_DIR: dataDir,
      SANDBOX_TIME_SCALE: String(options.sandboxTimeScale ?? 0.001),
      SANDBOX_PUBLIC_URL: sandboxUrl,
    },
    join(logDir, 'alipay-sandbox.log'),
    '/health/live', // the sandbox has no dependencies, hence no /health/ready
    readyTimeoutMs,
  );
  processes.push(sandbox);
  const instances = {} as Record<ServiceName, Instance[]>;
  for (const name of SERVICE_NAMES) {
    const entry = join(ROOT, 'services', name, 'dist', 'main.js');
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: build first (npx tsc -b)`);
    }
    instances[name] = ports[name].map((port, index) => {
      const p = new ManagedProcess(
        name,
        index,
        port,
        entry,
        { ...env, ...(options.envFor?.[name] ?? {}), [`${name.toUpperCase()}_PORT`]: String(port) },
        join(logDir, `${name}-${index}.log`),
        '/health/ready',
        readyTimeoutMs,
      );
      processes.push(p);
      return p;
    });
  }
  for (const p of processes) {
    p.spawn();
  }
  return { url, instances, sandboxUrl, sandbox, databaseUrl, apps: {}, redisPrefix, topicPrefix: topics.prefix, env, logDir };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run through jest's global setup`);
  }
  return value;
}

/** Sum of the samples of metric `name` whose labels include all of `labels` (Prometheus text format). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) {
      continue;
    }
    const got: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      got[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    }
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) {
      sum += Number(m[3]);
    }
  }
  return sum;
}

/** Sum of one metric over several instances (e.g. every payment process). */
export async function metricSum(instances: Instance[], name: string, labels: Record<string, string> = {}): Promise<number> {
  const texts = await Promise.all(instances.map((i) => i.metrics()));
  return texts.reduce((sum, t) => sum + metricValue(t, name, labels), 0);
}

let frozenPid: number | undefined;
onProcessExit(() => thawKafka());

/** The pid of the broker this project started (tools/ops/kafka.mjs writes broker.pid). */
function brokerPid(): number {
  const home = process.env.KAFKA_HOME || join(ROOT, '.cache', 'kafka');
  const file = join(home, 'broker.pid');
  const isBroker = (pid: number): boolean =>
    existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (isBroker(pid)) {
      return pid;
    }
  }
  // Another checkout of this project (or an earlier run) may have provisioned the broker that
  // answers: find the local broker process itself.
  const candidates = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter(isBroker);
  if (candidates.length !== 1) {
    throw new Error(
      `freezing Kafka needs exactly one local Kafka broker process (found ${candidates.length}); the broker at ${process.env.KAFKA_BROKERS} must run on this machine`,
    );
  }
  return candidates[0];
}

/** SIGSTOP the broker: connections stay open, nothing answers (a hung broker, not a refused port). */
export function freezeKafka(): void {
  const pid = brokerPid();
  frozenPid = pid;
  process.kill(pid, 'SIGSTOP');
}

/** SIGCONT the broker if this process froze it; safe to call any number of times. */
export function thawKafka(): void {
  if (frozenPid !== undefined) {
    const pid = frozenPid;
    frozenPid = undefined;
    process.kill(pid, 'SIGCONT');
  }
}

/** The environment the repo's CLIs (checker, DLQ tool, load tool) need to look at one system. */
export function cliEnv(sys: ProcessSystem): Record<string, string> {
  return {
    USER_SERVICE_URL: sys.url.user,
    CART_SERVICE_URL: sys.url.cart,
    INVENTORY_SERVICE_URL: sys.url.inventory,
    ORDER_SERVICE_URL: sys.url.order,
    PAYMENT_SERVICE_URL: sys.url.payment,
    SANDBOX_PUBLIC_URL: sys.sandboxUrl,
    INTERNAL_TOKEN: String(sys.env.INTERNAL_TOKEN),
    KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
    KAFKA_TOPIC_PREFIX: sys.topicPrefix,
    INVENTORY_DATABASE_URL: sys.databaseUrl.inventory,
    ORDER_DATABASE_URL: sys.databaseUrl.order,
    PAYMENT_DATABASE_URL: sys.databaseUrl.payment,
    REDIS_URL: requireEnv('REDIS_URL'),
    REDIS_KEY_PREFIX: sys.redisPrefix,
  };
}
