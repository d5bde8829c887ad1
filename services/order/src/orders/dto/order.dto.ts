import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_INT_ID, MAX_LINE_QUANTITY, OptionalNonNull, OrderLineDto, QueryInt } from '@shop/shared/nest';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';

export const MAX_ORDER_ITEMS = 100;

export class CreateOrderDto {
  @ApiProperty({ description: 'the token from GET /orders/confirm (a decimal string)' })
  @IsString()
  @Matches(/^[1-9]\d{0,18}$/, { message: 'orderToken must be the decimal token from confirm' })
  orderToken!: string;

  @ApiProperty({ type: 'integer' })
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  addressId!: number;

  @ApiProperty({ type: [OrderLineDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ORDER_ITEMS)
  @IsObject({ each: true }) // [[...]] would otherwise slip past ValidateNested
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  items!: OrderLineDto[];

  @ApiProperty({ type: 'integer', description: 'the total (cents) the buyer saw on the confirm page' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expectedTotal!: number;
}

/** Buy-now when both are given; otherwise the cart's checked items. Query values arrive as strings. */
export class ConfirmOrderQueryDto {
  @ApiPropertyOptional({ type: 'integer' })
  @OptionalNonNull()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_INT_ID)
  skuId?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LINE_QUANTITY })
  @OptionalNonNull()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity?: number;
}

export class ListOrdersQueryDto {
  @ApiPropertyOptional({ default: 1 })
  @OptionalNonNull()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page: number = 1;

  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @OptionalNonNull()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize: number = 20;
}
