/** Judging a race run: how many units left the shelf against how many there were. */

export interface RaceCounts {
  stock: number;
  /** Sum of the lock rows' quantities: the units customers were told they hold. */
  unitsGranted: number;
  /** The SKU row's locked_stock after the run: the strategy's own counter. */
  lockedStock: number;
}

export interface RaceVerdict extends RaceCounts {
  /** Units promised beyond stock, by whichever of the two records shows more. */
  oversold: number;
  /** Grants the counter lost (a write that overwrote another's): the counter under-reports them. */
  lostUpdates: number;
}

export function judgeRace(c: RaceCounts): RaceVerdict {
  return {
    ...c,
    oversold: Math.max(0, c.unitsGranted - c.stock, c.lockedStock - c.stock),
    lostUpdates: Math.max(0, c.unitsGranted - c.lockedStock),
  };
}

/** `ours` as a fraction of `other` (e.g. 0.25 = a quarter of it); NaN when `other` is not positive. */
export function ratio(ours: number, other: number): number {
  return other > 0 ? ours / other : Number.NaN;
}
