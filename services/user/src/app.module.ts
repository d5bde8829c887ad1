import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@shop/shared/nest';
import { AddressesModule } from './addresses/addresses.module';
import { AuthModule } from './auth/auth.module';
import { UserEnv } from './config/user-env';
import { UserPrismaModule } from './infrastructure/prisma/user-prisma.module';
import { UserPrisma } from './infrastructure/prisma/user-prisma.service';
import { UsersModule } from './users/users.module';

@Module({})
export class UserAppModule {
  static forRoot(config: UserEnv): DynamicModule {
    return {
      module: UserAppModule,
      imports: [
        PlatformModule.forRoot({ service: 'user', config, readiness: [UserPrisma] }),
        UserPrismaModule,
        UsersModule,
        AuthModule,
        AddressesModule,
      ],
    };
  }
}
