/**
 * The normaliser: turns a submitted value into the strings the detectors read.
 *
 * Decoding runs in rounds (at most MAX_ROUNDS) of URL decoding (incl. overlong UTF-8 and `%u`), HTML
 * character references and, in a second variant, JS/CSS escapes; a round that changes nothing ends it.
 * Then folding (Unicode compatibility and look-alikes, NUL and zero-width removal, whitespace, case).
 * Extra variants: `+` read as a space (a second urldecode() by the application), base64 runs that decode to
 * text with markup or code punctuation. The original is kept (`raw`): some rules read it.
 *
 * Bounded: the value is cut at `maxLength` characters (noted as `truncated`); every step is linear and
 * never grows its input by more than a constant factor, so the whole is O(length).
 */
import { base64Runs } from './base64.js';
import { stripComments } from './comments.js';
import { decodeEntities } from './entities.js';
import { decodeEscapes } from './escapes.js';
import { fold } from './fold.js';
import { percentDecode } from './percent.js';

export const STEPS = [
  'url',
  'url-double',
  'overlong-utf8',
  'entities',
  'escapes',
  'unicode',
  'nul',
  'plus',
  'base64',
  'comments',
] as const;
export type Step = (typeof STEPS)[number];

export interface NormaliseOptions {
  /** Steps to leave out (tests prove each step by switching it off). */
  disable?: readonly Step[];
  /** Characters of the value that are read at all (default 1 MiB). */
  maxLength?: number;
}

export interface Normalised {
  /** The value as received (cut at maxLength). */
  raw: string;
  /** The main decoded, folded, lower-cased text. */
  text: string;
  /** Every text to inspect: `text` first, then the other variants (all decoded and folded), no duplicates. */
  variants: string[];
  /** Steps that changed something. */
  steps: Set<Step>;
  truncated: boolean;
  /** `variants[i]` with block comments replaced by spaces (computed on first use). */
  flat(i: number): string;
}

const MAX_ROUNDS = 4;
export const DEFAULT_MAX_LENGTH = 1024 * 1024;

function decodeRounds(s: string, escapes: boolean, off: ReadonlySet<Step>, steps: Set<Step>): string {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let changed = false;
    if (!off.has('url') && (round === 0 || !off.has('url-double'))) {
      const r = percentDecode(s);
      if (r.changed) {
        steps.add(round === 0 ? 'url' : 'url-double');
        if (r.overlong) {
          if (off.has('overlong-utf8')) return s;
          steps.add('overlong-utf8');
        }
        s = r.out;
        changed = true;
      }
    }
    if (!off.has('entities')) {
      const r = decodeEntities(s);
      if (r.changed) {
        steps.add('entities');
        s = r.out;
        changed = true;
      }
    }
    if (escapes) {
      const r = decodeEscapes(s);
      if (r.changed) {
        steps.add('escapes');
        s = r.out;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return s;
}

export function normalise(value: string, options: NormaliseOptions = {}): Normalised {
  const off: ReadonlySet<Step> = new Set(options.disable ?? []);
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const truncated = value.length > maxLength;
  const raw = truncated ? value.slice(0, maxLength) : value;
  const steps = new Set<Step>();

  const variants: string[] = [];
  const add = (decoded: string) => {
    const f = fold(decoded, !off.has('unicode'));
    let out = f.out;
    if (f.unicode) steps.add('unicode');
    if (f.nul) {
      // NUL is dropped (`scr\0ipt`) and, in a second variant, read as a separator (`1\0union\0select`)
      const spaced = fold(decoded.replace(/\0/g, ' '), !off.has('unicode')).out;
      if (off.has('nul')) out = spaced;
      else {
        steps.add('nul');
        if (!variants.includes(spaced)) extra.push(spaced);
      }
    }
    if (!variants.includes(out)) variants.push(out);
    return out;
  };

  const extra: string[] = [];
  const main = add(decodeRounds(raw, false, off, steps));
  if (!off.has('escapes') && raw.indexOf('\\') >= 0) {
    const withEscapes = decodeRounds(raw, true, off, steps);
    add(withEscapes);
  }
  if (!off.has('plus') && main.indexOf('+') >= 0) {
    const before = variants.length;
    add(main.replace(/\+/g, ' '));
    if (variants.length > before) steps.add('plus');
  }
  if (!off.has('base64')) {
    for (const text of base64Runs(raw)) {
      const before = variants.length;
      add(decodeRounds(text, false, off, steps));
      if (variants.length > before) steps.add('base64');
    }
  }

  for (const e of extra) if (!variants.includes(e)) variants.push(e);

  const flats: (string | undefined)[] = [];
  return {
    raw,
    text: main,
    variants,
    steps,
    truncated,
    flat(i: number): string {
      const cached = flats[i];
      if (cached !== undefined) return cached;
      const v = variants[i] ?? '';
      let out = v;
      if (!off.has('comments')) {
        const r = stripComments(v);
        if (r.changed) {
          steps.add('comments');
          out = r.out;
        }
      }
      flats[i] = out;
      return out;
    },
  };
}
