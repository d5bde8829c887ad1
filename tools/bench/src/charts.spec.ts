import { lineChart } from './charts';

describe('benchmark charts', () => {
  it('draws one line per series over evenly spaced levels, with its name, scaled to the largest value', () => {
    const svg = lineChart('t', 'ops/s', [
      {
        name: 'ours',
        points: [
          [16, 100],
          [64, 50],
        ],
      },
      {
        name: 'other <x>',
        points: [
          [16, 10],
          [64, 200],
        ],
      },
    ]);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>ours</text>');
    expect(svg).toContain('other &lt;x&gt;');
    // The largest value (200) sits 10 % below the top of the axis (220).
    expect(svg).toContain('>220</text>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });
});
