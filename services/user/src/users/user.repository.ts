import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@shop/shared/nest';
import { UserTx } from '../infrastructure/prisma/user-prisma.service';

export interface UserRecord {
  id: number;
  username: string;
  passwordHash: string;
}

@Injectable()
export class UserRepository {
  constructor(private readonly tx: UserTx) {}

  /** Returns null when the username is taken (the unique index decides, not a prior read). */
  async createIfUsernameFree(username: string, passwordHash: string): Promise<UserRecord | null> {
    try {
      return await this.tx.client.user.create({ data: { username, passwordHash } });
    } catch (err) {
      if (isUniqueViolation(err)) {
        return null;
      }
      throw err;
    }
  }

  findByUsername(username: string): Promise<UserRecord | null> {
    return this.tx.client.user.findUnique({ where: { username } });
  }

  findById(id: number): Promise<UserRecord | null> {
    return this.tx.client.user.findUnique({ where: { id } });
  }
}
