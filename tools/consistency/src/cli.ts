#!/usr/bin/env node
/** `npm run check:consistency`: prints every SPEC §10 violation; exit 0 ok, 1 violations, 2 usage/connection. */
import { CHECK_USAGE, parseCheckArgs, UsageError, type CheckArgs } from './args';
import { errorMessage } from './batching';
import { checkConsistency } from './checker';
import { loadEnv, type ToolEnv } from './env';
import { formatReport } from './format';
import type { CheckOptions } from './report';

async function main(argv: string[]): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${CHECK_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${CHECK_USAGE}\n`);
    return 0;
  }
  try {
    const env = await loadEnv();
    const options = await optionsFor(args, env, note);
    const report = await checkConsistency(options);
    process.stdout.write(`${args.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return report.ok ? 0 : 1;
  } catch (err) {
    process.stderr.write(`check:consistency: ${errorMessage(err)}\n`);
    return 2;
  }
}

/** Notes go to stderr so that --json output stays one parseable document. */
function note(message: string): void {
  process.stderr.write(`note: ${message}\n`);
}

async function optionsFor(args: CheckArgs, env: ToolEnv, say: (m: string) => void): Promise<CheckOptions> {
  const sandboxUrl = args.sandbox === false ? undefined : (args.sandbox ?? env.sandboxUrl);
  let sandbox: string | undefined;
  if (sandboxUrl === undefined) {
    say('sandbox checks skipped (--no-sandbox)');
  } else if (await answers(sandboxUrl)) {
    sandbox = sandboxUrl;
  } else {
    say(`the Alipay sandbox at ${sandboxUrl} does not answer: sandbox checks skipped`);
  }
  if (!args.kafka) {
    say('dead-letter topics not read (--no-kafka)');
  }
  return {
    inventoryDatabaseUrl: env.inventoryDatabaseUrl,
    orderDatabaseUrl: env.orderDatabaseUrl,
    paymentDatabaseUrl: env.paymentDatabaseUrl,
    sandboxUrl: sandbox,
    kafka: args.kafka ? { brokers: env.kafkaBrokers, topicPrefix: env.kafkaTopicPrefix } : undefined,
    redis: { url: env.redisUrl, keyPrefix: env.redisKeyPrefix },
    outboxMaxAgeSeconds: args.outboxMaxAgeSeconds,
    settleSeconds: args.settleSeconds,
  };
}

/** Any HTTP answer will do (an unknown trade is a 404); only silence means "no sandbox here". */
async function answers(sandboxUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${sandboxUrl.replace(/\/+$/, '')}/sandbox/trades/0`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`check:consistency: ${errorMessage(err)}\n`);
    process.exitCode = 2;
  },
);
