#!/usr/bin/env node
// npm run load -- <scenario> [options]: see tools/load/README.md.
import { loadEnv } from '@shop/consistency';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Load } from './runner';
import { runLoad } from './run';
import { SCENARIOS, ScenarioName } from './scenarios';
import { formatTable } from './table';
import { renderHtml } from './html';

const USAGE = `usage: npm run load -- <${SCENARIOS.join('|')}> [--users N] [--count N | --duration S] [--concurrency C | --rate R/s]
       [--stock N] [--skus N] [--copies K] [--pay-share 0..1] [--late-share 0..1] [--timeout-share 0..1]
       [--notify-copies K] [--seed S] [--json FILE] [--html FILE] [--no-check] [--settle-timeout S]
Targets come from the environment as for npm start (USER_SERVICE_URL …, SANDBOX_PUBLIC_URL, INTERNAL_TOKEN, *_DATABASE_URL).`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      users: { type: 'string', default: '200' },
      count: { type: 'string' },
      duration: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      rate: { type: 'string' },
      stock: { type: 'string' },
      skus: { type: 'string', default: '10' },
      copies: { type: 'string' },
      'pay-share': { type: 'string' },
      'late-share': { type: 'string' },
      'timeout-share': { type: 'string', default: '0' },
      'notify-copies': { type: 'string' },
      seed: { type: 'string', default: '1' },
      json: { type: 'string' },
      html: { type: 'string' },
      'no-check': { type: 'boolean', default: false },
      'settle-timeout': { type: 'string', default: '120' },
    },
  });
  const scenario = positionals[0] as ScenarioName;
  if (!SCENARIOS.includes(scenario)) {
    console.error(USAGE);
    return 2;
  }
  const env = await loadEnv();
  const users = int(values.users, 'users');
  const durationMs = values.duration ? int(values.duration, 'duration') * 1000 : undefined;
  // A timed run has no natural count: the cap only bounds it (attempts stop at the deadline).
  const count = values.count ? int(values.count, 'count') : durationMs !== undefined ? 1_000_000 : users;
  const load: Load = values.rate
    ? { kind: 'open', ratePerSecond: Number(values.rate), maxInFlight: 1024 }
    : { kind: 'closed', concurrency: int(values.concurrency, 'concurrency') };
  const defaultStock =
    scenario === 'flash-sale' || scenario === 'notify-storm' ? count : scenario === 'multi-sku' || scenario === 'mixed' ? 5 : 20;
  const storm = scenario === 'notify-storm';
  const actions = {
    payShare: share(values['pay-share'] ?? (storm ? '1' : scenario === 'mixed' ? '0.4' : '0.5'), 'pay-share'),
    lateShare: share(values['late-share'] ?? (scenario === 'mixed' ? '0.2' : '0'), 'late-share'),
    timeoutShare: share(values['timeout-share'], 'timeout-share'),
    notifyCopies: int(values['notify-copies'] ?? (storm ? '10' : scenario === 'mixed' ? '3' : '0'), 'notify-copies'),
  };
  const report = await runLoad({
    scenario,
    users,
    count,
    load,
    durationMs,
    stock: values.stock ? int(values.stock, 'stock') : defaultStock,
    skus: int(values.skus, 'skus'),
    copies: int(values.copies ?? (scenario === 'mixed' ? '2' : '5'), 'copies'),
    actions,
    seed: int(values.seed, 'seed'),
    settleTimeoutMs: int(values['settle-timeout'], 'settle-timeout') * 1000,
    targets: { ...env.serviceUrls, sandbox: env.sandboxUrl, internalToken: env.internalToken },
    check: values['no-check']
      ? undefined
      : {
          inventoryDatabaseUrl: env.inventoryDatabaseUrl,
          orderDatabaseUrl: env.orderDatabaseUrl,
          paymentDatabaseUrl: env.paymentDatabaseUrl,
          sandboxUrl: env.sandboxUrl,
          kafka: { brokers: env.kafkaBrokers, topicPrefix: env.kafkaTopicPrefix },
          redis: { url: env.redisUrl, keyPrefix: env.redisKeyPrefix },
        },
    onProgress: (line) => process.stderr.write(`\r${line}\x1b[K`),
  });
  process.stderr.write('\n');
  console.log(formatTable(report));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify(report, null, 2));
  }
  if (values.html) {
    writeFileSync(values.html, renderHtml(report));
  }
  return report.verdict.ok ? 0 : 1;
}

function share(v: string, name: string): number {
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v) || n > 1) {
    throw new Error(`--${name} must be a share between 0 and 1, got ${JSON.stringify(v)}`);
  }
  return n;
}

function int(v: string, name: string): number {
  if (!/^\d+$/.test(v)) {
    throw new Error(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`load: ${(err as Error).message}`);
    process.exit(2);
  },
);
