import { Injectable } from '@nestjs/common';
import { DomainError } from '@shop/shared';
import { UserTx } from '../infrastructure/prisma/user-prisma.service';
import { AddressRecord } from './address-response';
import { AddressRepository } from './address.repository';
import { CreateAddressDto } from './dto/create-address.dto';

export const MAX_ADDRESSES = 50;

export class AddressNotFoundError extends DomainError {
  constructor(id: number) {
    super('USER.ADDRESS_NOT_FOUND', 'No such address', { addressId: id });
  }
}

@Injectable()
export class AddressesService {
  constructor(
    private readonly tx: UserTx,
    private readonly addresses: AddressRepository,
  ) {}

  list(userId: number): Promise<AddressRecord[]> {
    return this.addresses.listForUser(userId);
  }

  /** A user's first address becomes the default; a new default replaces the old one. */
  create(userId: number, dto: CreateAddressDto): Promise<AddressRecord> {
    return this.tx.run(async () => {
      await this.addresses.lockOwner(userId);
      const count = await this.addresses.countForUser(userId);
      if (count >= MAX_ADDRESSES) {
        throw new DomainError('VALIDATION.FAILED', `At most ${MAX_ADDRESSES} addresses per user`);
      }
      const isDefault = dto.isDefault === true || count === 0;
      if (isDefault) {
        await this.addresses.clearDefault(userId);
      }
      return this.addresses.create(userId, dto, isDefault);
    });
  }

  async get(userId: number, id: number): Promise<AddressRecord> {
    const address = await this.addresses.findForUser(userId, id);
    if (!address) {
      throw new AddressNotFoundError(id);
    }
    return address;
  }

  async delete(userId: number, id: number): Promise<void> {
    if (!(await this.addresses.deleteForUser(userId, id))) {
      throw new AddressNotFoundError(id);
    }
  }
}
