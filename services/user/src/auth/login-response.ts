import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '../users/user-response';

export class LoginResponseDto {
  @ApiProperty({
    example: 'q3V0Ym9hcmQtc2Vzc2lvbi10b2tlbi1leGFtcGxl',
    description: 'opaque session token: send it as `Authorization: Bearer <token>`',
  })
  token!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-02T15:00:00.000Z', description: 'when the session ends (UTC)' })
  expiresAt!: string;

  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}
