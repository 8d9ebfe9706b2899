import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakLuhn, makePan, seededRandom } from './test-cards.js';
import { brandOf, classifyPan, luhnValid, maskPan } from './pan.js';

describe('pan: Luhn, brands, masking', () => {
  const rand = seededRandom(7);
  const brands: { prefix: string; length: number; brand: string | null }[] = [
    { prefix: '4', length: 16, brand: 'visa' },
    { prefix: '4', length: 13, brand: 'visa' },
    { prefix: '4', length: 19, brand: 'visa' },
    { prefix: '4', length: 15, brand: null },
    { prefix: '51', length: 16, brand: 'mastercard' },
    { prefix: '55', length: 16, brand: 'mastercard' },
    { prefix: '2221', length: 16, brand: 'mastercard' },
    { prefix: '2720', length: 16, brand: 'mastercard' },
    { prefix: '2721', length: 16, brand: null },
    { prefix: '2220', length: 16, brand: null },
    { prefix: '34', length: 15, brand: 'amex' },
    { prefix: '37', length: 15, brand: 'amex' },
    { prefix: '37', length: 16, brand: null },
    { prefix: '6011', length: 16, brand: 'discover' },
    { prefix: '645', length: 19, brand: 'discover' },
    { prefix: '65', length: 16, brand: 'discover' },
    { prefix: '622500', length: 16, brand: 'discover' },
    { prefix: '3530', length: 16, brand: 'jcb' },
    { prefix: '3589', length: 19, brand: 'jcb' },
    { prefix: '36', length: 14, brand: 'diners' },
    { prefix: '301', length: 14, brand: 'diners' },
    { prefix: '62', length: 16, brand: 'unionpay' },
    { prefix: '6212', length: 19, brand: 'unionpay' },
    { prefix: '6759', length: 16, brand: 'maestro' },
    { prefix: '5018', length: 13, brand: 'maestro' },
    { prefix: '6304', length: 19, brand: 'maestro' },
    { prefix: '1', length: 16, brand: null },
    { prefix: '9', length: 16, brand: null },
    { prefix: '50', length: 16, brand: null },
  ];
  for (const c of brands) {
    it(`${c.prefix}… ${c.length} digits → ${c.brand ?? 'no brand'}`, () => {
      const pan = makePan(c.prefix, c.length, rand);
      assert.ok(luhnValid(pan));
      assert.equal(brandOf(pan), c.brand);
      assert.equal(classifyPan(pan)?.brand ?? null, c.brand);
      assert.equal(classifyPan(breakLuhn(pan)), null, 'a wrong check digit is no PAN');
    });
  }
  it('masks to first 6 / last 4', () => {
    assert.equal(maskPan('4111111111111111'), '411111******1111');
    assert.equal(maskPan('378282246310005'), '378282*****0005');
  });
  it('knows published test numbers', () => {
    assert.equal(classifyPan('4111111111111111')?.test, true);
    assert.equal(classifyPan(makePan('4', 16, seededRandom(1)))?.test, false);
  });
});
