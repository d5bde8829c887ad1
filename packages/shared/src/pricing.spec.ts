import { priceLines } from './pricing';

describe('priceLines', () => {
  const catalog = new Map([
    [1, { title: 'A', price: 1999 }],
    [2, { title: 'B', price: 1 }],
  ]);

  it('prices in integer cents, sorted by skuId', () => {
    expect(
      priceLines(
        [
          { skuId: 2, quantity: 3 },
          { skuId: 1, quantity: 2 },
        ],
        catalog,
      ),
    ).toEqual({
      items: [
        { skuId: 1, quantity: 2, title: 'A', unitPrice: 1999, subtotal: 3998 },
        { skuId: 2, quantity: 3, title: 'B', unitPrice: 1, subtotal: 3 },
      ],
      totalAmount: 4001,
    });
  });

  it('refuses unknown SKUs, naming all of them', () => {
    expect(() =>
      priceLines(
        [
          { skuId: 7, quantity: 1 },
          { skuId: 1, quantity: 1 },
          { skuId: 9, quantity: 1 },
        ],
        catalog,
      ),
    ).toThrow(expect.objectContaining({ code: 'INVENTORY.SKU_NOT_FOUND', details: { skuIds: [7, 9] } }));
  });

  it('refuses a total above what the INTEGER amount columns hold', () => {
    const pricey = new Map([[1, { title: 'A', price: 3_000_000 }]]);
    expect(() => priceLines([{ skuId: 1, quantity: 800 }], pricey)).toThrow(expect.objectContaining({ code: 'VALIDATION.FAILED' }));
    expect(priceLines([{ skuId: 1, quantity: 715 }], pricey).totalAmount).toBe(2_145_000_000);
  });
});
