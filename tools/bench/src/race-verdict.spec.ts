import { judgeRace, ratio } from './race-verdict';

describe('judgeRace', () => {
  it('finds no oversell when grants and counter both stay within stock', () => {
    expect(judgeRace({ stock: 100, unitsGranted: 100, lockedStock: 100 })).toMatchObject({ oversold: 0, lostUpdates: 0 });
  });

  it('counts units granted beyond stock even when lost updates keep the counter within it', () => {
    // The naive control's typical result: its overwrites hide the oversell from locked_stock.
    expect(judgeRace({ stock: 100, unitsGranted: 180, lockedStock: 100 })).toMatchObject({ oversold: 80, lostUpdates: 80 });
  });

  it('counts a counter beyond stock even when fewer lock rows were written', () => {
    expect(judgeRace({ stock: 100, unitsGranted: 100, lockedStock: 103 })).toMatchObject({ oversold: 3, lostUpdates: 0 });
  });
});

describe('ratio', () => {
  it('is ours as a fraction of the other, NaN against nothing', () => {
    expect(ratio(500, 2000)).toBe(0.25);
    expect(ratio(500, 0)).toBeNaN();
  });
});
