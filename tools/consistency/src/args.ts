/** Command-line arguments of both tools; a mistake is a UsageError (exit 2), never a guess. */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const CHECK_USAGE = `usage: npm run check:consistency -- [--json] [--outbox-max-age S] [--settle S] [--no-kafka] [--sandbox URL | --no-sandbox]
  --json             print the report as JSON
  --outbox-max-age S an unpublished outbox row older than S seconds is stale (default 60)
  --settle S         flows changed within the last S seconds are in flight, not judged (default 30)
  --no-kafka         do not read the dead-letter topics
  --sandbox URL      the Alipay sandbox to check refunds against (default SANDBOX_PUBLIC_URL)
  --no-sandbox       skip the sandbox checks
exit 0: consistent, 1: violations, 2: usage or connection error`;

export const DLQ_USAGE = `usage: npm run dlq -- list [--json] | show <id> [--json] | replay <id> [--json]
  id is <dlq-topic>:<partition>:<offset>, as printed by list
exit 0: done, 1: no such dead letter, 2: usage or connection error`;

export interface CheckArgs {
  help: boolean;
  json: boolean;
  outboxMaxAgeSeconds: number;
  settleSeconds: number;
  kafka: boolean;
  /** A URL, false for --no-sandbox, undefined for "the environment's sandbox". */
  sandbox: string | false | undefined;
}

export function parseCheckArgs(argv: string[]): CheckArgs {
  const { values } = asUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        'outbox-max-age': { type: 'string' },
        settle: { type: 'string' },
        // Node 20's parseArgs has no --no-X negation, so the negative flags are flags of their own.
        'no-kafka': { type: 'boolean' },
        sandbox: { type: 'string' },
        'no-sandbox': { type: 'boolean' },
      },
    }),
  );
  if (values.sandbox !== undefined && values['no-sandbox']) {
    throw new UsageError('--sandbox and --no-sandbox exclude each other');
  }
  return {
    help: values.help === true,
    json: values.json === true,
    outboxMaxAgeSeconds: seconds('--outbox-max-age', values['outbox-max-age'], 60),
    settleSeconds: seconds('--settle', values.settle, 30),
    kafka: values['no-kafka'] !== true,
    sandbox: values['no-sandbox'] ? false : values.sandbox,
  };
}

export type DlqCommand = { name: 'list'; json: boolean } | { name: 'show' | 'replay'; id: string; json: boolean } | { name: 'help' };

export function parseDlqArgs(argv: string[]): DlqCommand {
  const { values, positionals } = asUsage(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }),
  );
  const json = values.json === true;
  const [name, id, ...rest] = positionals;
  if (values.help === true) {
    return { name: 'help' };
  }
  if (name === 'list' && id === undefined) {
    return { name, json };
  }
  if ((name === 'show' || name === 'replay') && id !== undefined && rest.length === 0) {
    return { name, id, json };
  }
  throw new UsageError(name === undefined ? 'a command is required' : `cannot understand: ${positionals.join(' ')}`);
}

/** parseArgs throws TypeErrors for unknown or malformed options; to the user they are usage errors. */
function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function seconds(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) {
    return fallback;
  }
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag} takes a non-negative number of seconds, got "${raw}"`);
  }
  return n;
}
