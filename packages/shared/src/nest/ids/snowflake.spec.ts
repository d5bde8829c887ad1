import { Snowflake, SNOWFLAKE_EPOCH_MS } from './snowflake';

describe('Snowflake', () => {
  it('produces unique, increasing ids within one millisecond and across many', async () => {
    let now = SNOWFLAKE_EPOCH_MS + 1000;
    const gen = new Snowflake(
      () => 7,
      () => now,
    );
    const ids: string[] = [];
    for (let i = 0; i < 10000; i++) {
      if (i % 3000 === 0) {
        now += 1;
      }
      ids.push(await gen.next());
    }
    expect(new Set(ids).size).toBe(ids.length);
    const big = ids.map(BigInt);
    expect(big.every((v, i) => i === 0 || v > big[i - 1])).toBe(true);
    expect(ids.every((id) => /^[1-9]\d{0,18}$/.test(id))).toBe(true);
  });

  it('encodes the worker id, so two workers in the same millisecond never collide', async () => {
    const now = () => SNOWFLAKE_EPOCH_MS + 5;
    const a = await new Snowflake(() => 1, now).next();
    const b = await new Snowflake(() => 2, now).next();
    expect(a).not.toBe(b);
    expect(Number((BigInt(b) >> 12n) & 1023n)).toBe(2);
  });

  it('refuses to generate when the worker id lease is not held', async () => {
    const gen = new Snowflake(() => {
      throw new Error('snowflake worker id lease is not held');
    });
    await expect(gen.next()).rejects.toThrow(/lease/);
  });

  it('stays unique when callers race across a sequence overflow', async () => {
    let now = SNOWFLAKE_EPOCH_MS + 10;
    let calls = 0;
    // The clock advances only every 5000 reads: the sequence (4096 per ms) must overflow and wait.
    const gen = new Snowflake(
      () => 3,
      () => (++calls % 5000 === 0 ? ++now : now),
    );
    const ids = await Promise.all(Array.from({ length: 9000 }, () => gen.next()));
    expect(new Set(ids).size).toBe(9000);
  });
});
