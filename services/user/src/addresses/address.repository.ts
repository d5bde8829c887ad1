import { Injectable } from '@nestjs/common';
import type { SqlStatement } from '@shop/shared/nest';
import { UserTx } from '../infrastructure/prisma/user-prisma.service';
import { AddressRecord } from './address-response';
import { CreateAddressDto } from './dto/create-address.dto';

// The two reads every confirm and submit makes (hot-path SQL: see TransactionHost.query).
const ADDRESS_COLUMNS = `id, user_id AS "userId", receiver, phone, region, detail, is_default AS "isDefault", created_at AS "createdAt"`;
const LIST_FOR_USER: SqlStatement = {
  name: 'address_list_for_user',
  text: `SELECT ${ADDRESS_COLUMNS} FROM addresses WHERE user_id = $1 ORDER BY is_default DESC, id ASC`,
};
const FIND_FOR_USER: SqlStatement = {
  name: 'address_find_for_user',
  text: `SELECT ${ADDRESS_COLUMNS} FROM addresses WHERE id = $1 AND user_id = $2`,
};

@Injectable()
export class AddressRepository {
  constructor(private readonly tx: UserTx) {}

  /**
   * Serialises address changes of one user: two concurrent "make this my default" requests
   * would otherwise both clear the old default and collide on the one-default index.
   */
  async lockOwner(userId: number): Promise<void> {
    await this.tx.client.$queryRaw`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`;
  }

  listForUser(userId: number): Promise<AddressRecord[]> {
    return this.tx.query<AddressRecord>(LIST_FOR_USER, [userId]);
  }

  countForUser(userId: number): Promise<number> {
    return this.tx.client.address.count({ where: { userId } });
  }

  async clearDefault(userId: number): Promise<void> {
    await this.tx.client.address.updateMany({ where: { userId, isDefault: true }, data: { isDefault: false } });
  }

  create(userId: number, dto: CreateAddressDto, isDefault: boolean): Promise<AddressRecord> {
    return this.tx.client.address.create({
      data: { userId, receiver: dto.receiver, phone: dto.phone, region: dto.region, detail: dto.detail, isDefault },
    });
  }

  /** Scoped by owner: someone else's address is simply not found. */
  async findForUser(userId: number, id: number): Promise<AddressRecord | null> {
    const [row] = await this.tx.query<AddressRecord>(FIND_FOR_USER, [id, userId]);
    return row ?? null;
  }

  async deleteForUser(userId: number, id: number): Promise<boolean> {
    const { count } = await this.tx.client.address.deleteMany({ where: { id, userId } });
    return count === 1;
  }
}
