import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { UserEnv } from '../../config/user-env';
import { UserPrisma, UserTx } from './user-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: UserPrisma,
      inject: [PLATFORM_CONFIG],
      useFactory: (c: UserEnv) => new UserPrisma(c.USER_DATABASE_URL, c.DATABASE_POOL_SIZE),
    },
    UserTx,
  ],
  exports: [UserPrisma, UserTx],
})
export class UserPrismaModule {}
