import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class UserEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'USER_DATABASE_URL must be a postgresql:// URL' })
  USER_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_user';

  @IsInt()
  @Min(0)
  @Max(65535)
  USER_PORT: number = 3001;

  /** scrypt cost (N). 16384 ≈ 50 ms here; tests may lower it, never production. */
  @IsInt()
  @Min(1024)
  PASSWORD_HASH_COST: number = 16384;
}
