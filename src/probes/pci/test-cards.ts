/**
 * Test helpers for card-number scanning: Luhn-valid numbers made on the fly (so that no real PAN sits in
 * the repository) and a seeded random generator for reproducible corpora.
 */

/** Mulberry32: small seeded PRNG, enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The Luhn check digit that completes `body`. */
export function luhnCheckDigit(body: string): string {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A Luhn-valid number of `length` digits starting with `prefix`. */
export function makePan(prefix: string, length: number, rand: () => number = Math.random): string {
  let body = prefix;
  while (body.length < length - 1) body += String(Math.floor(rand() * 10));
  return body + luhnCheckDigit(body);
}

/** The same digits with the last one changed, so that Luhn fails. */
export function breakLuhn(pan: string): string {
  const last = Number(pan.at(-1));
  return pan.slice(0, -1) + String((last + 1) % 10);
}

/** Groups digits as cards are printed (4-4-4-4, Amex 4-6-5) with a separator. */
export function groupPan(pan: string, sep: string): string {
  if (pan.length === 15) return [pan.slice(0, 4), pan.slice(4, 10), pan.slice(10)].join(sep);
  return pan.match(/.{1,4}/g)!.join(sep);
}
