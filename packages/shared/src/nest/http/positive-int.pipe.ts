import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../../errors';
import { MAX_INT_ID } from './validation.decorators';

/** Path/query ids: a positive 32-bit integer written in plain digits, else 400 VALIDATION.FAILED. */
@Injectable()
export class PositiveIntPipe implements PipeTransform<string, number> {
  transform(value: string, metadata: ArgumentMetadata): number {
    const n = /^[1-9]\d{0,9}$/.test(value ?? '') ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n > MAX_INT_ID) {
      throw new ValidationFailedError(`${metadata.data ?? 'parameter'} must be a positive integer`, { field: metadata.data });
    }
    return n;
  }
}

/** Order numbers (snowflake ids) are decimal digit strings up to 19 digits. */
@Injectable()
export class OrderSnPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: ArgumentMetadata): string {
    if (!/^[1-9]\d{0,18}$/.test(value ?? '')) {
      throw new ValidationFailedError(`${metadata.data ?? 'orderSn'} must be an order number`, { field: metadata.data });
    }
    return value;
  }
}
