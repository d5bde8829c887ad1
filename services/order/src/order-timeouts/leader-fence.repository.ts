import { Injectable } from '@nestjs/common';
import { OrderTx } from '../infrastructure/prisma/order-prisma.service';

/** The order database's fencing tokens for leader-elected jobs (see LeaderLease in shared). */
@Injectable()
export class LeaderFenceRepository {
  constructor(private readonly tx: OrderTx) {}

  /**
   * A new leader's epoch: one more than any before. The UPDATE waits for the share locks of the
   * old leader's in-flight writes (see `holds`), so after it returns no old-epoch write can commit.
   */
  async advance(name: string): Promise<number> {
    const rows = await this.tx.client.$queryRaw<Array<{ epoch: bigint }>>`
      INSERT INTO leader_fences (name, epoch) VALUES (${name}, 1)
      ON CONFLICT (name) DO UPDATE SET epoch = leader_fences.epoch + 1, updated_at = now()
      RETURNING epoch`;
    return Number(rows[0].epoch);
  }

  /**
   * True if `epoch` is still the current one — checked inside the caller's transaction, with a
   * share lock held to its COMMIT, so an `advance` cannot slip between this check and the write.
   */
  async holds(name: string, epoch: number): Promise<boolean> {
    if (!this.tx.inTransaction) {
      throw new Error('LeaderFenceRepository.holds must run inside the write it fences');
    }
    const rows = await this.tx.client.$queryRaw<Array<{ ok: number }>>`
      SELECT 1 AS ok FROM leader_fences WHERE name = ${name} AND epoch = ${epoch} FOR SHARE`;
    return rows.length === 1;
  }
}
