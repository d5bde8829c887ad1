import { Injectable } from '@nestjs/common';
import { UserTx } from '../infrastructure/prisma/user-prisma.service';
import { AddressRecord } from './address-response';
import { CreateAddressDto } from './dto/create-address.dto';

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
    return this.tx.client.address.findMany({ where: { userId }, orderBy: [{ isDefault: 'desc' }, { id: 'asc' }] });
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
  findForUser(userId: number, id: number): Promise<AddressRecord | null> {
    return this.tx.client.address.findFirst({ where: { id, userId } });
  }

  async deleteForUser(userId: number, id: number): Promise<boolean> {
    const { count } = await this.tx.client.address.deleteMany({ where: { id, userId } });
    return count === 1;
  }
}
