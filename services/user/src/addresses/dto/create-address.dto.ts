import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';

export class CreateAddressDto {
  @ApiProperty({ example: 'Li Lei' })
  @IsString()
  @Length(1, 64)
  receiver!: string;

  @ApiProperty({ example: '+86 138 0000 0000' })
  @IsString()
  @Matches(/^\+?[0-9][0-9 -]{5,30}$/, { message: 'phone must be digits, spaces or dashes, optionally starting with +' })
  phone!: string;

  @ApiProperty({ example: 'Zhejiang Hangzhou Xihu' })
  @IsString()
  @Length(1, 128)
  region!: string;

  @ApiProperty({ example: 'No. 1 Wensan Road' })
  @IsString()
  @Length(1, 255)
  detail!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;
}
