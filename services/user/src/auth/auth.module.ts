import { Module } from '@nestjs/common';
import { PLATFORM_CONFIG, REDIS } from '@shop/shared/nest';
import type Redis from 'ioredis';
import { UserEnv } from '../config/user-env';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { PasswordHasher } from './password-hasher';

@Module({
  imports: [UsersModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    { provide: PasswordHasher, inject: [PLATFORM_CONFIG], useFactory: (c: UserEnv) => new PasswordHasher(c.PASSWORD_HASH_COST) },
    { provide: LoginThrottle, inject: [REDIS], useFactory: (r: Redis) => new LoginThrottle(r) },
  ],
  exports: [PasswordHasher],
})
export class AuthModule {}
