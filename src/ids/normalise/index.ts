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

const NO_STEPS: ReadonlySet<Step> = new Set();

/** The result object (a class: no closures are created per value). */
class NormalisedValue implements Normalised {
  readonly variants: string[] = [];
  readonly steps = new Set<Step>();
  text = '';
  private readonly flats: (string | undefined)[] = [];
  private readonly extra: string[] = [];
  constructor(
    readonly raw: string,
    readonly truncated: boolean,
    private readonly off: ReadonlySet<Step>,
  ) {}

  /** Folds a decoded string and adds it as a variant (once); returns the folded text. */
  add(decoded: string): string {
    const off = this.off;
    const f = fold(decoded, !off.has('unicode'));
    let out = f.out;
    if (f.unicode) this.steps.add('unicode');
    if (f.nul) {
      // NUL is dropped (`scr\0ipt`) and, in a second variant, read as a separator (`1\0union\0select`)
      const spaced = fold(decoded.replace(/\0/g, ' '), !off.has('unicode')).out;
      if (off.has('nul')) out = spaced;
      else {
        this.steps.add('nul');
        if (!this.variants.includes(spaced)) this.extra.push(spaced);
      }
    }
    if (!this.variants.includes(out)) this.variants.push(out);
    return out;
  }

  finish(): void {
    for (const e of this.extra) if (!this.variants.includes(e)) this.variants.push(e);
  }

  flat(i: number): string {
    const cached = this.flats[i];
    if (cached !== undefined) return cached;
    const v = this.variants[i] ?? '';
    let out = v;
    if (!this.off.has('comments')) {
      const r = stripComments(v);
      if (r.changed) {
        this.steps.add('comments');
        out = r.out;
      }
    }
    this.flats[i] = out;
    return out;
  }
}

export function normalise(value: string, options: NormaliseOptions = {}): Normalised {
  const off: ReadonlySet<Step> = options.disable?.length ? new Set(options.disable) : NO_STEPS;
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const truncated = value.length > maxLength;
  const raw = truncated ? value.slice(0, maxLength) : value;
  const n = new NormalisedValue(raw, truncated, off);
  const steps = n.steps;

  const main = n.add(decodeRounds(raw, false, off, steps));
  n.text = main;
  if (!off.has('escapes') && raw.indexOf('\\') >= 0) n.add(decodeRounds(raw, true, off, steps));
  if (!off.has('plus') && main.indexOf('+') >= 0) {
    const before = n.variants.length;
    n.add(main.replace(/\+/g, ' '));
    if (n.variants.length > before) steps.add('plus');
  }
  if (!off.has('base64')) {
    for (const text of base64Runs(raw)) {
      const before = n.variants.length;
      n.add(decodeRounds(text, false, off, steps));
      if (n.variants.length > before) steps.add('base64');
    }
  }
  n.finish();
  return n;
}
