import type { CardBrand } from './pan.js';
import { classifyPan, maskPan } from './pan.js';

/**
 * Streaming card-number scanner over bytes (files, logs, dumps, decompressed gzip).
 *
 * Speed: a PAN, however written, is a run of at least 13 characters from [0-9 -]. The scanner looks at
 * every 13th byte only and expands into a run just where that byte is one of those characters (a skip
 * scan, like Boyer-Moore's bad-character rule); text without long digit runs is passed over at
 * memory speed. Each run is then cut into digit groups and judged exactly.
 *
 * Low false alarms: a candidate must be Luhn-valid with a known brand prefix and length (`pan.ts`) AND
 * stand alone: not glued to letters or other digits (hex, UUIDs, longer ids), not a decimal fraction,
 * not a `+` phone number, not part of an IBAN or of a longer grouped number, and if grouped, grouped
 * the way cards are printed (4-4-4-4, 4-6-5, …) with one consistent separator.
 */

export type PanForm = 'plain' | 'spaced' | 'dashed';

export interface PanHit {
  /** Byte offset of the first digit in the stream. */
  offset: number;
  /** 1-based line number. */
  line: number;
  masked: string;
  brand: CardBrand;
  /** A published test number (4111 1111 1111 1111 and the like). */
  test: boolean;
  form: PanForm;
}

/** 0: other, 1: digit, 2: separator (space or dash). */
const CLASS = new Uint8Array(256);
for (let c = 48; c <= 57; c++) CLASS[c] = 1;
CLASS[32] = 2;
CLASS[45] = 2;

const MIN_RUN = 13;
/** A run still open at the end of a block is carried into the next one up to this length. */
const MAX_DEFER = 1 << 20;
/** Bytes kept before a carried run, so that boundary and IBAN checks can look back. */
const CONTEXT = 48;

/** Card groupings (digits per group), longest first. */
const GROUPINGS: readonly (readonly number[])[] = [
  [4, 4, 4, 4, 3],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 4, 1],
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
  [4, 4, 4, 3],
  [4, 4, 4, 2],
  [4, 4, 4, 1],
];

function isAlnum(c: number | undefined): boolean {
  if (c === undefined) return false;
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c >= 128
  );
}
const isDigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;

/** Grouped IBAN text right before a candidate: `DE89 3704 ` or `GB29 NWBK `. */
const IBAN_BEFORE = /(?:^|[^A-Za-z0-9])[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4})*[ -]?$/;

interface Token {
  s: number;
  e: number;
  /** Separator joining this token to the previous one (exactly one char between them), else 0. */
  joined: number;
  /** The chain of joined tokens this one belongs to starts right after a `+` (a phone number). */
  plusChain: boolean;
  /** Cut by the end of the block: its true length is unknown. */
  open: boolean;
}

export class PanScanner {
  /** Bytes consumed so far. */
  bytes = 0;
  /** Working buffer: carried bytes at its start, new bytes read in after them. */
  private buf: Buffer = Buffer.alloc(0);
  private carryLen = 0;
  /** Number of carried bytes already judged (context kept for look-back). */
  private carryFrom = 0;
  /** Newlines before the current block's byte 0, and how far into the block they are counted. */
  private linesBefore = 0;
  private lineCursor = 0;
  private blockBase = 0;
  private stopped = false;

  /** `onHit` returns false to stop the scan (e.g. enough found). */
  constructor(private readonly onHit: (hit: PanHit) => unknown) {}

  get done(): boolean {
    return this.stopped;
  }

  /**
   * Space for the next bytes, after what is carried (saves a copy): read into it, then `commit(n)`.
   * The returned buffer is valid until the next call.
   */
  writable(size = 1 << 20): Buffer {
    if (this.buf.length < this.carryLen + size) {
      const bigger = Buffer.allocUnsafe(this.carryLen + size);
      this.buf.copy(bigger, 0, 0, this.carryLen);
      this.buf = bigger;
    }
    return this.buf.subarray(this.carryLen, this.carryLen + size);
  }

  /** Scans `n` bytes just written into `writable()`. */
  commit(n: number): void {
    if (this.stopped || n <= 0) return;
    this.bytes += n;
    this.scan(this.buf.subarray(0, this.carryLen + n), this.carryFrom, false);
  }

  /** Feeds the next bytes of the stream (one copy; `writable`/`commit` avoid it). */
  push(chunk: Buffer): void {
    for (let o = 0; o < chunk.length && !this.stopped; o += 1 << 20) {
      const part = chunk.subarray(o, o + (1 << 20));
      part.copy(this.writable(part.length));
      this.commit(part.length);
    }
  }

  /** Ends the stream: judges what was carried. */
  end(): void {
    if (this.stopped || this.carryLen === 0) return;
    this.scan(this.buf.subarray(0, this.carryLen), this.carryFrom, true);
    this.carryLen = 0;
  }

  private scan(buf: Buffer, from: number, eof: boolean): void {
    const len = buf.length;
    // A run of [0-9 -] still open at the end waits for the next block (unless it is absurdly long).
    let keepFrom = len;
    if (!eof) {
      let t = len;
      while (t > from && CLASS[buf[t - 1]!] !== 0 && len - t < MAX_DEFER) t--;
      if (len - t < MAX_DEFER) keepFrom = t;
    }
    let p = from + MIN_RUN - 1;
    while (p < keepFrom) {
      const k = CLASS[buf[p]!];
      // Inside a card number a separator always sits between two digits: a space or dash that does not
      // cannot be part of one (most spaces in prose), so it is skipped like any other byte.
      if (k === 0 || (k === 2 && !(CLASS[buf[p - 1]!] === 1 && CLASS[buf[p + 1]!] === 1))) {
        p += MIN_RUN;
        continue;
      }
      // Expand to the whole run, counting digits: fewer than 13 cannot be a PAN (dates, phone numbers).
      let digits = CLASS[buf[p]!] === 1 ? 1 : 0;
      let a = p;
      let c: number;
      while (a > from && (c = CLASS[buf[a - 1]!]!) !== 0) {
        a--;
        if (c === 1) digits++;
      }
      let e = p + 1;
      while (e < len && (c = CLASS[buf[e]!]!) !== 0) {
        e++;
        if (c === 1) digits++;
      }
      if (digits >= MIN_RUN && !this.judgeRun(buf, a, e, e === len && !eof)) return;
      p = e + MIN_RUN;
    }
    // Count newlines up to where the next block starts, and keep the carry.
    const carryStart = keepFrom === len ? Math.max(from, len - CONTEXT) : Math.max(0, keepFrom - CONTEXT);
    this.countLines(buf, carryStart);
    this.blockBase += carryStart;
    // `buf` is a view of this.buf from 0: move the carried tail to the front.
    this.carryLen = eof ? 0 : len - carryStart;
    if (!eof && carryStart > 0) this.buf.copyWithin(0, carryStart, len);
    this.carryFrom = (keepFrom === len ? len : keepFrom) - carryStart;
    // A hit inside the kept context may have counted lines past carryStart already.
    this.lineCursor -= carryStart;
  }

  /** Counts newlines in [lineCursor, upTo); only ever moves forward. */
  private countLines(buf: Buffer, upTo: number): void {
    if (upTo <= this.lineCursor) return;
    let q = this.lineCursor;
    while (q < upTo) {
      const nl = buf.indexOf(10, q);
      if (nl === -1 || nl >= upTo) break;
      this.linesBefore++;
      q = nl + 1;
    }
    this.lineCursor = upTo;
  }

  /**
   * Judges one run of [0-9 -]; returns false when the consumer asked to stop. `openEnd`: the run goes on
   * past this block (only for runs too long to carry), so its last group is incomplete.
   */
  private judgeRun(buf: Buffer, a: number, e: number, openEnd: boolean): boolean {
    const tokens: Token[] = [];
    let i = a;
    while (i < e) {
      while (i < e && CLASS[buf[i]!] === 2) i++;
      if (i >= e) break;
      const s = i;
      while (i < e && CLASS[buf[i]!] === 1) i++;
      const prev = tokens[tokens.length - 1];
      const joined = prev && s - prev.e === 1 ? buf[prev.e]! : 0;
      const plusChain = joined && prev ? prev.plusChain : buf[s - 1] === 43; /* + */
      tokens.push({ s, e: i, joined, plusChain, open: false });
    }
    if (openEnd && tokens.length) tokens[tokens.length - 1]!.open = true;
    for (let t = 0; t < tokens.length; t++) {
      const used = this.judgeAt(buf, tokens, t);
      if (used < 0) return false;
      if (used > 0) t += used - 1;
    }
    return true;
  }

  /** Tries a candidate starting at token t; returns tokens consumed (0: none), -1 to stop. */
  private judgeAt(buf: Buffer, tokens: Token[], t: number): number {
    const first = tokens[t]!;
    if (first.plusChain || first.open) return 0;
    const firstLen = first.e - first.s;
    // Plain: one group of 13-19 digits.
    if (firstLen >= 13 && firstLen <= 19) {
      const next = tokens[t + 1];
      const leftOk = first.joined === 45 ? false : first.joined === 32 ? true : this.freeLeft(buf, first.s);
      const rightOk = next && next.joined ? next.joined !== 45 : this.freeRight(buf, first.e);
      if (leftOk && rightOk) return this.emit(buf, tokens, t, 1, 'plain');
      return 0;
    }
    if (firstLen !== 4) return 0;
    for (const g of GROUPINGS) {
      if (t + g.length > tokens.length) continue;
      const sep = tokens[t + 1]!.joined;
      if (sep === 0) break;
      let fits = true;
      for (let k = 0; k < g.length && fits; k++) {
        const tok = tokens[t + k]!;
        fits = !tok.open && tok.e - tok.s === g[k] && (k === 0 || tok.joined === sep);
      }
      if (!fits) continue;
      const last = tokens[t + g.length - 1]!;
      const before = tokens[t - 1];
      const after = tokens[t + g.length];
      if (first.joined === sep && before && before.e - before.s >= 3) continue;
      if (first.joined === sep && before && !before.joined && isAlnum(buf[before.s - 1])) continue;
      if (!first.joined && !this.freeLeft(buf, first.s)) continue;
      if (after && after.joined === sep && (after.open || after.e - after.s >= 3)) continue;
      if (!(after && after.joined) && !this.freeRight(buf, last.e)) continue;
      const look = buf.toString('latin1', Math.max(0, first.s - CONTEXT), first.s);
      if (IBAN_BEFORE.test(look)) continue;
      return this.emit(buf, tokens, t, g.length, sep === 32 ? 'spaced' : 'dashed');
    }
    return 0;
  }

  /** Nothing glued on the left: no letter/digit, no `+`, not the fraction of a decimal. */
  private freeLeft(buf: Buffer, s: number): boolean {
    const c = buf[s - 1];
    if (c === undefined) return true;
    if (isAlnum(c) || c === 43 /* + */) return false;
    if ((c === 46 || c === 44) /* . , */ && isDigit(buf[s - 2])) return false;
    if (CLASS[c] === 2 && isDigit(buf[s - 2])) return false;
    return true;
  }

  private freeRight(buf: Buffer, e: number): boolean {
    const c = buf[e];
    if (c === undefined) return true;
    if (isAlnum(c)) return false;
    if ((c === 46 || c === 44) && isDigit(buf[e + 1])) return false;
    if (CLASS[c] === 2 && isDigit(buf[e + 1])) return false;
    return true;
  }

  private emit(buf: Buffer, tokens: Token[], t: number, n: number, form: PanForm): number {
    let digits = '';
    for (let k = t; k < t + n; k++) digits += buf.toString('latin1', tokens[k]!.s, tokens[k]!.e);
    const c = classifyPan(digits);
    if (!c) return 0;
    const pos = tokens[t]!.s;
    this.countLines(buf, pos);
    const hit: PanHit = {
      offset: this.blockBase + pos,
      line: this.linesBefore + 1,
      masked: maskPan(digits),
      brand: c.brand,
      test: c.test,
      form,
    };
    if (this.onHit(hit) === false) {
      this.stopped = true;
      return -1;
    }
    return n;
  }
}

/** Scans one string or buffer at once (DB cells, tests). */
export function findPans(text: string | Buffer): PanHit[] {
  const hits: PanHit[] = [];
  const s = new PanScanner((h) => {
    hits.push(h);
  });
  s.push(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  s.end();
  return hits;
}
