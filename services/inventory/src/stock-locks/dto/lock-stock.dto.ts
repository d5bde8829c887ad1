import { ApiProperty } from '@nestjs/swagger';
import { OrderLineDto } from '@shop/shared/nest';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export const MAX_LOCK_ITEMS = 100;
export const ORDER_SN = /^[1-9]\d{0,18}$/;
/** An instant needs a time and a zone; a bare date or week date is refused rather than guessed. */
const ISO_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** A line to lock: the shared `{skuId, quantity}` rules. */
export class LockStockItemDto extends OrderLineDto {}

/** The selector must survive malformed items (null, numbers): they are reported by ValidateNested, not thrown. */
function skuIdOf(item: unknown): unknown {
  return item !== null && typeof item === 'object' ? (item as { skuId?: unknown }).skuId : item;
}

export class LockStockDto {
  @ApiProperty({ example: '1862453175345152000', description: 'decimal digits (a snowflake id)' })
  @IsString()
  @Matches(ORDER_SN, { message: 'orderSn must be an order number (decimal digits)' })
  orderSn!: string;

  @ApiProperty({ example: '2026-11-21T10:20:00.000Z' })
  @IsString()
  @Matches(ISO_INSTANT, { message: 'expiresAt must be an ISO-8601 date-time with a zone' })
  @IsISO8601({ strict: true })
  expiresAt!: string;

  @ApiProperty({ type: [LockStockItemDto], minItems: 1, maxItems: MAX_LOCK_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LOCK_ITEMS)
  @ArrayUnique(skuIdOf, { message: 'items must name each skuId once' })
  @IsObject({ each: true }) // [[...]] would otherwise slip past ValidateNested
  @ValidateNested({ each: true })
  @Type(() => LockStockItemDto)
  items!: LockStockItemDto[];

  @ApiProperty({
    type: 'integer',
    required: false,
    description:
      'the total (cents) the buyer was shown. When given, the lines are priced at the current catalog prices first, in the same ' +
      'request: another total is 409 INVENTORY.PRICE_CHANGED with details.currentTotal and nothing is locked; otherwise the ' +
      "answer's `prices` carry each line's title and unit price (the order's price snapshot).",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  expectedTotal?: number;
}
