import { ApiProperty } from '@nestjs/swagger';

/** An account as every API shows it. */
export class UserResponseDto {
  @ApiProperty({ type: 'integer', example: 42, description: 'integer id' })
  id!: number;

  @ApiProperty({ example: 'alice' })
  username!: string;
}
