import { ApiProperty } from '@nestjs/swagger';
import { TextLength } from '@shop/shared/nest';
import { IsString, Matches } from 'class-validator';

export class RegisterDto {
  @ApiProperty({ example: 'alice_01', minLength: 3, maxLength: 32 })
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,32}$/, { message: 'username must be 3–32 characters of A-Z, a-z, 0-9, _' })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 72 })
  @IsString()
  @TextLength(8, 72)
  password!: string;
}

/** Login does not re-check the registration rules: a wrong shape is simply wrong credentials. */
export class LoginDto {
  @ApiProperty()
  @IsString()
  @TextLength(1, 64)
  username!: string;

  @ApiProperty()
  @IsString()
  @TextLength(1, 256)
  password!: string;
}
