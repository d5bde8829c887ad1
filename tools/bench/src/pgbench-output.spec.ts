import { parsePgbenchOutput } from './pgbench-output';

// Verbatim from pgbench 15.20 on this machine.
const PG15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: /tmp/sel1.sql
scaling factor: 1
query mode: prepared
number of clients: 2
number of threads: 2
maximum number of tries: 1
duration: 1 s
number of transactions actually processed: 72712
number of failed transactions: 0 (0.000%)
latency average = 0.027 ms
initial connection time = 6.370 ms
tps = 72944.693572 (without initial connection time)
`;

// The shape before PostgreSQL 13: two tps lines, no failed-transaction count.
const PG12 = `number of transactions actually processed: 2400
latency average = 26.667 ms
tps = 2380.100000 (including connections establishing)
tps = 2399.500000 (excluding connections establishing)
`;

describe('parsePgbenchOutput', () => {
  it('reads PostgreSQL 15 output', () => {
    expect(parsePgbenchOutput(PG15)).toEqual({
      tps: 72944.693572,
      latencyAverageMs: 0.027,
      failedTransactions: 0,
      processedTransactions: 72712,
    });
  });

  it('takes the tps without connection set-up when there are two', () => {
    expect(parsePgbenchOutput(PG12)).toMatchObject({ tps: 2399.5, failedTransactions: 0, processedTransactions: 2400 });
  });

  it('counts failed transactions', () => {
    expect(parsePgbenchOutput(PG15.replace('failed transactions: 0', 'failed transactions: 12')).failedTransactions).toBe(12);
  });

  it('fails loudly on output without a tps line', () => {
    expect(() => parsePgbenchOutput('pgbench: error: connection refused\n')).toThrow(/no "tps = \.\.\." line/);
  });
});
