import { ArgumentMetadata, createParamDecorator, ExecutionContext, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from '../../errors';

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; problems: string[] }> {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') {
    return value.includes('\u0000');
  }
  if (value && typeof value === 'object' && depth < 10) {
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v, depth + 1));
  }
  return false;
}

/**
 * The global pipe: whitelist + forbid unknown fields + transform, and every failure becomes
 * `VALIDATION.FAILED` with the offending fields in `details`. A JSON body that is not an object
 * (an array, a string) is refused before class-validator sees it.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailedError('Request validation failed', { fields: flatten(errors) }),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') {
      // Custom parameter decorators (the session, `@UnvalidatedBody()`) are not client DTOs.
      return value;
    }
    if (containsNul(value)) {
      // PostgreSQL cannot store U+0000 in text; refusing it here keeps it a 400, not a 500.
      throw new ValidationFailedError('Text must not contain NUL characters');
    }
    const isDto = typeof metadata.metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metadata.metatype as never);
    if (metadata.type === 'body' && isDto && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw new ValidationFailedError('Request body must be a JSON object');
    }
    return super.transform(value, metadata);
  }
}

/**
 * The parsed request body, untouched by the global validation pipe: for an endpoint that must
 * answer every malformed input in its own format (the Alipay webhook's plain-text `failure`) and
 * therefore validates the body itself.
 */
export const UnvalidatedBody = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown => {
  return ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
});
