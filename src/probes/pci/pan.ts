/**
 * Card numbers (PANs): Luhn, brand prefixes and lengths, masking. Pure functions, no I/O.
 *
 * Brand table from the ISO/IEC 7812 IIN ranges the card networks publish (prefix → lengths). A number
 * is only a candidate when its prefix belongs to a known brand AND its length is one that brand issues
 * AND its Luhn check digit is right: a random 16-digit number passes all three with ~1–2 % chance,
 * so the text around it is judged too (see `pan-scanner.ts`).
 */

export type CardBrand =
  'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay' | 'maestro';

interface BrandRange {
  brand: CardBrand;
  /** Inclusive prefix range, compared on `from.length` leading digits. */
  from: string;
  to: string;
  lengths: readonly number[];
}

const L16_19 = [16, 17, 18, 19] as const;
const L14_19 = [14, 15, 16, 17, 18, 19] as const;
const L13_19 = [13, 14, 15, 16, 17, 18, 19] as const;

/** Most specific prefixes first: the first match decides the brand. */
const RANGES: readonly BrandRange[] = [
  { brand: 'discover', from: '622126', to: '622925', lengths: L16_19 }, // co-branded with UnionPay
  { brand: 'maestro', from: '676770', to: '676770', lengths: L13_19 },
  { brand: 'maestro', from: '676774', to: '676774', lengths: L13_19 },
  { brand: 'discover', from: '6011', to: '6011', lengths: L16_19 },
  { brand: 'diners', from: '3095', to: '3095', lengths: L14_19 },
  { brand: 'jcb', from: '3528', to: '3589', lengths: L16_19 },
  { brand: 'mastercard', from: '2221', to: '2720', lengths: [16] },
  ...['5018', '5020', '5038', '5893', '6304', '6759', '6761', '6762', '6763'].map((p): BrandRange => ({
    brand: 'maestro',
    from: p,
    to: p,
    lengths: L13_19,
  })),
  { brand: 'diners', from: '300', to: '305', lengths: L14_19 },
  { brand: 'discover', from: '644', to: '649', lengths: L16_19 },
  { brand: 'amex', from: '34', to: '34', lengths: [15] },
  { brand: 'amex', from: '37', to: '37', lengths: [15] },
  { brand: 'diners', from: '36', to: '36', lengths: L14_19 },
  { brand: 'diners', from: '38', to: '39', lengths: L16_19 },
  { brand: 'mastercard', from: '51', to: '55', lengths: [16] },
  { brand: 'discover', from: '65', to: '65', lengths: L16_19 },
  { brand: 'unionpay', from: '62', to: '62', lengths: L16_19 },
  { brand: 'visa', from: '4', to: '4', lengths: [13, 16, 19] },
];

export const MIN_PAN_LENGTH = 13;
export const MAX_PAN_LENGTH = 19;

/** Luhn (mod 10) check over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The brand whose IIN range and lengths fit these digits, or null. Does not check Luhn. */
export function brandOf(digits: string): CardBrand | null {
  const n = digits.length;
  if (n < MIN_PAN_LENGTH || n > MAX_PAN_LENGTH) return null;
  for (const r of RANGES) {
    const head = digits.slice(0, r.from.length);
    if (head >= r.from && head <= r.to) return r.lengths.includes(n) ? r.brand : null;
  }
  return null;
}

/** First 6 and last 4 digits kept (PCI DSS 3.4's display limit), the rest as `*`. */
export function maskPan(digits: string): string {
  if (digits.length < 10) return '*'.repeat(digits.length);
  return digits.slice(0, 6) + '*'.repeat(digits.length - 10) + digits.slice(-4);
}

/**
 * Numbers the card networks and gateways publish for testing (Stripe, Authorize.net, PayPal, Adyen…).
 * They are valid PANs by form; a site that stores only these is a test install, not a breach.
 */
const TEST_PANS = new Set([
  '4111111111111111',
  '4012888888881881',
  '4222222222222',
  '4242424242424242',
  '4000056655665556',
  '4000000000000002',
  '4000000000000077',
  '4000000000009995',
  '4007000000027',
  '4012888818888',
  '4917610000000000',
  '4444333322221111',
  '4005519200000004',
  '4009348888881881',
  '5555555555554444',
  '5105105105105100',
  '5200828282828210',
  '5424000000000015',
  '5454545454545454',
  '2223003122003222',
  '2222400070000005',
  '378282246310005',
  '371449635398431',
  '378734493671000',
  '370000000000002',
  '6011111111111117',
  '6011000990139424',
  '6011000000000012',
  '3530111333300000',
  '3566002020360505',
  '3566111111111113',
  '30569309025904',
  '38520000023237',
  '36227206271667',
  '3056930009020004',
  '6200000000000005',
  '6759649826438453',
  '6799990100000000019',
]);

export function isTestPan(digits: string): boolean {
  return TEST_PANS.has(digits);
}

/** A Luhn-valid number with a known brand prefix and length, or null. */
export function classifyPan(digits: string): { brand: CardBrand; test: boolean } | null {
  const brand = brandOf(digits);
  if (!brand || !luhnValid(digits)) return null;
  return { brand, test: isTestPan(digits) };
}
