import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';

/** Ids are PostgreSQL INTEGER columns: 1 … 2^31 − 1. */
export const MAX_INT_ID = 2147483647;

/**
 * Length in Unicode code points, the way PostgreSQL counts VARCHAR(n) characters. (class-validator's
 * `@Length` leaves variation selectors out of the count, so `"a\uFE0F"` × 40 passed a limit of 64
 * and then overflowed VARCHAR(64): a 500.) Use it for every string with a maximum length.
 */
export function TextLength(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'textLength',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') {
            return false;
          }
          const length = [...value].length;
          return length >= min && length <= max;
        },
        defaultMessage: (args) => `${args?.property ?? 'value'} must be ${min}–${max} characters long`,
      },
    },
    options,
  );
}

/**
 * An optional field: absent is fine, but `null` is a value and is validated (and so refused by the
 * field's own rules). class-validator's `@IsOptional()` treats null as absent, which let
 * `{"quantity": null}` pass as "no change".
 */
export function OptionalNonNull(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined, options);
}

/**
 * A numeric query value: plain decimal digits only. `Number()` would read `0x10` as 16 and accept
 * `1e1`, `0o7` and `" 1"`; anything but digits stays a string here and fails `@IsInt()`.
 */
export function QueryInt(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,16}$/.test(value) ? Number(value) : value));
}

/** A comma-separated list of ids (`?ids=1,2,3`): 1–`maxCount` of them, each within INTEGER. */
export function IsIdList(maxCount: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdList',
      constraints: [maxCount],
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !/^[1-9][0-9]{0,9}(,[1-9][0-9]{0,9})*$/.test(value)) {
            return false;
          }
          const ids = value.split(',');
          return ids.length <= maxCount && ids.every((id) => Number(id) <= MAX_INT_ID);
        },
        defaultMessage: (args) => `${args?.property ?? 'ids'} must be up to ${maxCount} comma-separated ids (1–${MAX_INT_ID})`,
      },
    },
    options,
  );
}
