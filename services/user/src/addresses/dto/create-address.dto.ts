import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OptionalNonNull, TextLength } from '@shop/shared/nest';
import { IsBoolean, IsString, Matches } from 'class-validator';

export class CreateAddressDto {
  @ApiProperty({ example: 'Li Lei' })
  @IsString()
  @TextLength(1, 64)
  receiver!: string;

  @ApiProperty({ example: '+86 138 0000 0000' })
  @IsString()
  @Matches(/^\+?[0-9][0-9 -]{5,30}$/, { message: 'phone must be digits, spaces or dashes, optionally starting with +' })
  phone!: string;

  @ApiProperty({ example: 'Zhejiang Hangzhou Xihu' })
  @IsString()
  @TextLength(1, 128)
  region!: string;

  @ApiProperty({ example: 'No. 1 Wensan Road' })
  @IsString()
  @TextLength(1, 255)
  detail!: string;

  @ApiPropertyOptional()
  @OptionalNonNull()
  @IsBoolean()
  isDefault?: boolean;
}
