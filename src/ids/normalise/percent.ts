/**
 * URL (percent) decoding, one round: `%HH` byte runs are decoded as UTF-8, accepting the overlong forms that
 * old servers accepted (`%c0%ae` is `.`, `%c0%af` is `/`, `%e0%80%ae` is `.`), and IIS's `%uHHHH`.
 * Invalid UTF-8 bytes become the Latin-1 character of the same value (nothing is dropped).
 * Linear in the input; the output is never longer than the input.
 */

export interface PercentResult {
  out: string;
  changed: boolean;
  /** An overlong UTF-8 sequence was decoded. */
  overlong: boolean;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** The byte at `%HH` starting at i, or -1. */
function byteAt(s: string, i: number): number {
  if (s.charCodeAt(i) !== 37 || i + 2 >= s.length) return -1;
  const h = hexVal(s.charCodeAt(i + 1));
  const l = hexVal(s.charCodeAt(i + 2));
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

export function percentDecode(s: string): PercentResult {
  if (s.indexOf('%') < 0) return { out: s, changed: false, overlong: false };
  const parts: string[] = [];
  let overlong = false;
  let changed = false;
  let last = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (s.charCodeAt(i) !== 37) {
      i++;
      continue;
    }
    // %uHHHH
    if (i + 5 < n && (s.charCodeAt(i + 1) | 0x20) === 117) {
      const a = hexVal(s.charCodeAt(i + 2));
      const b = hexVal(s.charCodeAt(i + 3));
      const c = hexVal(s.charCodeAt(i + 4));
      const d = hexVal(s.charCodeAt(i + 5));
      if (a >= 0 && b >= 0 && c >= 0 && d >= 0) {
        parts.push(s.slice(last, i), String.fromCharCode((a << 12) | (b << 8) | (c << 4) | d));
        i += 6;
        last = i;
        changed = true;
        continue;
      }
    }
    const b0 = byteAt(s, i);
    if (b0 < 0) {
      i++;
      continue;
    }
    parts.push(s.slice(last, i));
    changed = true;
    // Collect a run of %HH bytes and decode it as UTF-8.
    const bytes: number[] = [];
    let j = i;
    for (;;) {
      const b = byteAt(s, j);
      if (b < 0) break;
      bytes.push(b);
      j += 3;
    }
    const r = utf8Lenient(bytes);
    if (r.overlong) overlong = true;
    parts.push(r.text);
    i = j;
    last = j;
  }
  if (!changed) return { out: s, changed: false, overlong: false };
  parts.push(s.slice(last));
  return { out: parts.join(''), changed: true, overlong };
}

/** UTF-8 decoding that accepts overlong forms (and reports them) and maps stray bytes to Latin-1. */
export function utf8Lenient(bytes: readonly number[]): { text: string; overlong: boolean } {
  let out = '';
  let overlong = false;
  const n = bytes.length;
  let i = 0;
  const cont = (k: number) => k < n && ((bytes[k] ?? 0) & 0xc0) === 0x80;
  while (i < n) {
    const b0 = bytes[i]!;
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
    } else if (b0 >= 0xc0 && b0 < 0xe0 && cont(i + 1)) {
      const cp = ((b0 & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
      if (cp < 0x80) overlong = true;
      out += String.fromCharCode(cp);
      i += 2;
    } else if (b0 >= 0xe0 && b0 < 0xf0 && cont(i + 1) && cont(i + 2)) {
      const cp = ((b0 & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
      if (cp < 0x800) overlong = true;
      out += String.fromCharCode(cp);
      i += 3;
    } else if (b0 >= 0xf0 && b0 < 0xf8 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
      const cp =
        ((b0 & 0x07) << 18) |
        ((bytes[i + 1]! & 0x3f) << 12) |
        ((bytes[i + 2]! & 0x3f) << 6) |
        (bytes[i + 3]! & 0x3f);
      if (cp < 0x10000) overlong = true;
      out += cp > 0x10ffff ? '\ufffd' : String.fromCodePoint(cp);
      i += 4;
    } else if ((b0 === 0xc0 || b0 === 0xc1) && i + 1 < n && bytes[i + 1]! < 0x80) {
      // an invalid "overlong" pair with an ASCII second byte (`%c0%2e`): IIS-era decoders kept the ASCII
      overlong = true;
      out += String.fromCharCode(bytes[i + 1]!);
      i += 2;
    } else {
      out += String.fromCharCode(b0);
      i++;
    }
  }
  return { text: out, overlong };
}
