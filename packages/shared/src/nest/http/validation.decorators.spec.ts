import { plainToInstance } from 'class-transformer';
import { IsInt, IsString, validateSync } from 'class-validator';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './body-parsers';
import { clientErrorCode } from './http-server';
import { IsIdList, OptionalNonNull, QueryInt, TextLength } from './validation.decorators';

class Sample {
  @TextLength(1, 4)
  text!: string;

  @OptionalNonNull()
  @QueryInt()
  @IsInt()
  n?: number;

  @OptionalNonNull()
  @IsString()
  @IsIdList(3)
  ids?: string;
}

const failures = (plain: object): string[] => validateSync(plainToInstance(Sample, plain)).map((e) => e.property);

describe('shared validation helpers', () => {
  it('TextLength counts code points, as PostgreSQL does', () => {
    expect(failures({ text: 'a\uFE0Fa\uFE0F' })).toEqual([]); // 4 code points
    expect(failures({ text: 'a\uFE0F'.repeat(3) })).toEqual(['text']); // 6, although validator.js says 3
    expect(failures({ text: '\u{1F600}'.repeat(4) })).toEqual([]); // 4 code points, 8 UTF-16 units
    expect(failures({ text: '' })).toEqual(['text']);
  });

  it('QueryInt takes plain decimal digits only; OptionalNonNull refuses null', () => {
    expect(plainToInstance(Sample, { text: 'a', n: '42' }).n).toBe(42);
    for (const n of ['0x10', '1e1', '0o7', ' 1', '1 ', '+1', '1.0', '', null]) {
      expect({ n, failures: failures({ text: 'a', n }) }).toEqual({ n, failures: ['n'] });
    }
    expect(failures({ text: 'a' })).toEqual([]);
  });

  it('IsIdList keeps every id within INTEGER and the list within its size', () => {
    expect(failures({ text: 'a', ids: '1,2,2147483647' })).toEqual([]);
    for (const ids of ['2147483648', '1,9999999999', '1,2,3,4', '0', '1,,2', 'a']) {
      expect({ ids, failures: failures({ text: 'a', ids }) }).toEqual({ ids, failures: ['ids'] });
    }
  });

  it('JSON nesting is measured without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) {
      deep = [deep];
    }
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(nestsDeeperThan({ items: [{ skuId: 1 }] }, MAX_JSON_DEPTH)).toBe(false);
    expect(nestsDeeperThan('text', MAX_JSON_DEPTH)).toBe(false);
  });

  it("Node's parser errors map onto our codes", () => {
    const e = (code: string) => Object.assign(new Error(code), { code });
    expect(clientErrorCode(e('ERR_HTTP_REQUEST_TIMEOUT')).code).toBe('REQUEST.TIMEOUT');
    expect(clientErrorCode(e('HPE_HEADER_OVERFLOW')).code).toBe('REQUEST.HEADERS_TOO_LARGE');
    expect(clientErrorCode(e('HPE_INVALID_HEADER_TOKEN')).code).toBe('VALIDATION.FAILED');
  });
});
