import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafka } from './dead-letters';
import { createTestWorld, insertConsistentOrders, insertSku, type TestWorld } from './test-fixtures';

/**
 * The two commands as an operator runs them: the compiled dist/ (build first: `npx tsc -b
 * tools/consistency`), configured only through the environment, judged by output and exit code.
 */
const DIST = path.join(__dirname, '..', 'dist');
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('check:consistency and dlq commands', () => {
  const prefix = `t${randomBytes(4).toString('hex')}.`;
  const topics = [`${prefix}payment.events`, `${prefix}payment.events.dlq`];
  let w: TestWorld;
  let kafka: Kafka;
  let env: NodeJS.ProcessEnv;

  const run = (tool: 'cli' | 'dlq-cli', args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [path.join(DIST, `${tool}.js`), ...args],
        { env: { ...env, ...extraEnv }, timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'cli.js'))) {
      throw new Error(`${DIST} is missing: build with \`npx tsc -b tools/consistency\` first`);
    }
    w = await createTestWorld();
    kafka = createKafka(BROKERS, 'consistency-cli-test');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })), waitForLeaders: true });
    await admin.disconnect();
    env = {
      ...process.env,
      INVENTORY_DATABASE_URL: w.options.inventoryDatabaseUrl,
      ORDER_DATABASE_URL: w.options.orderDatabaseUrl,
      PAYMENT_DATABASE_URL: w.options.paymentDatabaseUrl,
      KAFKA_BROKERS: BROKERS,
      KAFKA_TOPIC_PREFIX: prefix,
      SANDBOX_PUBLIC_URL: 'http://127.0.0.1:1', // nobody listens: the sandbox checks are skipped with a note
    };
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
    await w?.drop();
  });

  it('exits 0 on a consistent system, noting the missing sandbox, and prints the report as JSON with --json', async () => {
    await insertConsistentOrders(w);
    const text = await run('cli', []);
    expect(text).toMatchObject({ code: 0, stderr: expect.stringContaining('sandbox checks skipped') });
    expect(text.stdout).toMatch(/^consistent: no violations \(checked .*3 orders/m);
    const json = await run('cli', ['--json', '--no-sandbox', '--no-kafka']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, violations: [], checked: { orders: 3 } });
  });

  it('exits 1 and prints each violation under its rule, then the summary', async () => {
    const sku = await insertSku(w.inventory, 10, 2);
    const res = await run('cli', ['--no-kafka', '--settle', '0', '--outbox-max-age', '5']);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(`stock.locked-sum (1)\n  sku ${sku}: locked_stock 2 but its LOCKED locks hold 0\n`);
    expect(res.stdout).toMatch(/NOT consistent: 1 violation of 1 rule/);
  });

  it('exits 2 on a usage error or an unreachable database', async () => {
    const usage = await run('cli', ['--settle', 'soon']);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
    const down = await run('cli', ['--no-kafka'], { ORDER_DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/shop_order' });
    expect(down).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot connect to the order database') });
  });

  it('dlq list, show and replay a dead letter', async () => {
    const eventId = randomUUID();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: `${prefix}payment.events.dlq`,
      acks: -1,
      messages: [
        {
          key: '1999',
          value: JSON.stringify({ eventId, type: 'PaymentSucceeded', payload: { orderSn: '1999' } }),
          headers: {
            'x-dlq-consumer': 'order.payments',
            'x-dlq-error': 'boom',
            'x-dlq-original-topic': `${prefix}payment.events`,
            'x-dlq-original-partition': '0',
            'x-dlq-original-offset': '7',
            'x-dlq-attempts': '5',
            'x-dlq-at': '2026-01-01T00:00:00.000Z',
          },
        },
      ],
    });
    await producer.disconnect();
    const id = `${prefix}payment.events.dlq:0:0`;
    const list = await run('dlq-cli', ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(
      `${id}  2026-01-01T00:00:00.000Z  order.payments  PaymentSucceeded  ${eventId}  attempts=5  resolved=no  boom`,
    );
    const show = await run('dlq-cli', ['show', id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`"eventId": "${eventId}"`));
    expect(show.stdout).toContain(`x-dlq-original-topic: ${prefix}payment.events`);
    const replay = await run('dlq-cli', ['replay', id, '--json']);
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.stdout)).toEqual({ replayed: id, to: { topic: `${prefix}payment.events`, partition: 0, offset: '0' } });
    expect(await run('dlq-cli', ['show', `${prefix}payment.events.dlq:0:99`])).toMatchObject({ code: 1 });
    expect(await run('dlq-cli', ['frobnicate'])).toMatchObject({ code: 2 });
  });
});
