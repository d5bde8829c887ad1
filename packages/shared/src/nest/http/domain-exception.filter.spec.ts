import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from '../../errors';
import { mapError } from './domain-exception.filter';

describe('mapError', () => {
  it('maps domain errors by the one code table', () => {
    expect(mapError(new DomainError('ORDER.PRICE_CHANGED', 'changed', { currentTotal: 5 }))).toEqual({
      status: 409,
      code: 'ORDER.PRICE_CHANGED',
      message: 'changed',
      details: { currentTotal: 5 },
    });
    expect(mapError(new DomainError('AUTH.TOO_MANY_ATTEMPTS', 'x')).status).toBe(429);
  });

  it("maps the framework's own errors onto our codes", () => {
    expect(mapError(new NotFoundException()).code).toBe('ROUTE.NOT_FOUND');
    expect(mapError(new BadRequestException()).code).toBe('VALIDATION.FAILED');
    expect(mapError(new PayloadTooLargeException()).code).toBe('REQUEST.TOO_LARGE');
    expect(mapError(Object.assign(new Error('x'), { type: 'entity.too.large', status: 413 })).code).toBe('REQUEST.TOO_LARGE');
    expect(mapError(Object.assign(new Error('x'), { type: 'entity.parse.failed', status: 400 })).code).toBe('VALIDATION.FAILED');
  });

  it('hides anything unexpected behind 500 INTERNAL', () => {
    expect(mapError(new Error('relation "orders" does not exist'))).toEqual({
      status: 500,
      code: 'INTERNAL',
      message: 'Internal server error',
    });
  });
});
