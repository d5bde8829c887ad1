import { parseBenchArgs, UsageError } from './args';

describe('lock-strategies arguments', () => {
  it('defaults to 16/64/256 workers, 10 s runs and a race of 2000 attempts on 100 units', () => {
    expect(parseBenchArgs([])).toEqual({
      help: false,
      concurrency: [16, 64, 256],
      seconds: 10,
      stock: 1_000_000_000,
      raceStock: 100,
      raceAttempts: 2000,
      maxPool: 64,
      json: undefined,
    });
  });
});

describe('lock-strategies arguments, given', () => {
  it('takes every flag, and each concurrency level once', () => {
    const args = parseBenchArgs([
      '--concurrency',
      '16,64,16',
      '--seconds',
      '5',
      '--stock',
      '5000',
      '--race-stock',
      '10',
      '--race-attempts',
      '50',
      '--max-pool',
      '8',
      '--json',
      'out.json',
    ]);
    expect(args).toEqual({
      help: false,
      concurrency: [16, 64],
      seconds: 5,
      stock: 5000,
      raceStock: 10,
      raceAttempts: 50,
      maxPool: 8,
      json: 'out.json',
    });
  });
});

describe('lock-strategies arguments, refused', () => {
  it.each([
    [['--seconds', '0']],
    [['--seconds', '0.5']],
    [['--concurrency', '16,,64']],
    [['--concurrency', 'many']],
    [['--stock', '3000000000']],
    [['--race-stock', '100', '--race-attempts', '100']],
    [['--bogus']],
  ])('refuses %j', (argv) => {
    expect(() => parseBenchArgs(argv)).toThrow(UsageError);
  });
});
