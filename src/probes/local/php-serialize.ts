/**
 * PHP's serialize() format, read back (civicrm_setting.value). Only scalars and arrays: objects (`O:`),
 * references and custom serialisation (`C:`) are refused, so nothing hostile is ever instantiated, and
 * input size and nesting are capped.
 */
export type Unserialized = string | number | boolean | null | Unserialized[] | { [k: string]: Unserialized };

export class PhpSerializeError extends Error {}

const MAX_LEN = 1024 * 1024;
const MAX_DEPTH = 32;

export function phpUnserialize(input: string | Buffer): Unserialized {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  if (buf.length > MAX_LEN) throw new PhpSerializeError(`serialized value larger than ${MAX_LEN} bytes`);
  let i = 0;
  const fail = (why: string): never => {
    throw new PhpSerializeError(`${why} at byte ${i}`);
  };
  const expect = (ch: string) => {
    if (buf[i] !== ch.charCodeAt(0)) fail(`expected '${ch}'`);
    i++;
  };
  const until = (ch: string): string => {
    const j = buf.indexOf(ch, i);
    if (j < 0) fail(`missing '${ch}'`);
    const s = buf.toString('latin1', i, j);
    i = j + 1;
    return s;
  };
  const value = (depth: number): Unserialized => {
    if (depth > MAX_DEPTH) fail('nested too deep');
    const t = String.fromCharCode(buf[i] ?? 0);
    i++;
    switch (t) {
      case 'N':
        expect(';');
        return null;
      case 'b': {
        expect(':');
        const v = until(';');
        if (v !== '0' && v !== '1') fail('bad boolean');
        return v === '1';
      }
      case 'i': {
        expect(':');
        const v = until(';');
        if (!/^[+-]?\d+$/.test(v)) fail('bad integer');
        return Number(v);
      }
      case 'd': {
        expect(':');
        const v = until(';');
        const n = v === 'INF' ? Infinity : v === '-INF' ? -Infinity : v === 'NAN' ? NaN : Number(v);
        if (Number.isNaN(n) && v !== 'NAN') fail('bad float');
        return n;
      }
      case 's': {
        expect(':');
        const len = Number(until(':'));
        if (!Number.isInteger(len) || len < 0 || i + len + 2 > buf.length) fail('bad string length');
        expect('"');
        const s = buf.toString('utf8', i, i + len);
        i += len;
        expect('"');
        expect(';');
        return s;
      }
      case 'a': {
        expect(':');
        const n = Number(until(':'));
        if (!Number.isInteger(n) || n < 0 || n > 100_000) fail('bad array size');
        expect('{');
        const entries: [string, Unserialized][] = [];
        for (let k = 0; k < n; k++) {
          const key = value(depth + 1);
          if (typeof key !== 'string' && typeof key !== 'number') fail('bad array key');
          entries.push([String(key), value(depth + 1)]);
        }
        expect('}');
        const isList = entries.every(([k], idx) => k === String(idx));
        return isList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
      }
      default:
        return fail(`unsupported type '${t}'`);
    }
  };
  const v = value(0);
  if (i !== buf.length) fail('trailing data');
  return v;
}

/** PHP truthiness of an unserialized value. */
export function phpTruthy(v: Unserialized): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object') return Object.keys(v).length > 0;
  if (typeof v === 'string') return v !== '' && v !== '0';
  return Boolean(v);
}
