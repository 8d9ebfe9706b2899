/**
 * Content-defined chunking, FastCDC style (Xia et al., USENIX ATC 2016): a gear rolling hash, no cut
 * before `min`, a stricter mask before `avg` and a looser one after it (normalised chunking, level 2),
 * a forced cut at `max`. The gear table comes from a per-repository seed, so chunk boundaries (and
 * thus chunk sizes) depend on a repository secret-ish value, as restic's random polynomial does.
 */
import { createHash } from 'node:crypto';

export interface ChunkerParams {
  min: number;
  avg: number;
  max: number;
  /** hex; expands into the 256-entry gear table. */
  gearSeed: string;
}

export const DATA_CHUNKS = { min: 512 * 1024, avg: 1024 * 1024, max: 4 * 1024 * 1024 } as const;
export const TREE_CHUNKS = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 } as const;

export function gearTable(seed: string): Uint32Array {
  const out = new Uint32Array(256);
  const bytes = Buffer.alloc(1024);
  for (let i = 0; i < 32; i++) {
    createHash('sha256')
      .update(`civiguard-gear:${seed}:${i}`)
      .digest()
      .copy(bytes, i * 32);
  }
  for (let i = 0; i < 256; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

function topMask(bits: number): number {
  return (((1 << bits) - 1) << (32 - bits)) >>> 0;
}

/** A cutter over contiguous bytes: returns the length of the next chunk starting at `start`. */
export class Cutter {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  private readonly gear: Uint32Array;
  private readonly maskS: number;
  private readonly maskL: number;

  constructor(params: ChunkerParams) {
    if (!(params.min > 0 && params.min < params.avg && params.avg < params.max)) {
      throw new Error(`bad chunker sizes ${params.min}/${params.avg}/${params.max}`);
    }
    this.min = params.min;
    this.avg = params.avg;
    this.max = params.max;
    this.gear = gearTable(params.gearSeed);
    const bits = Math.round(Math.log2(params.avg));
    this.maskS = topMask(bits + 2);
    this.maskL = topMask(bits - 2);
  }

  /** Length of the chunk at b[start..end); needs end-start ≥ max unless this is the final piece. */
  cut(b: Uint8Array, start: number, end: number): number {
    let n = end - start;
    if (n <= this.min) return n;
    if (n > this.max) n = this.max;
    const norm = this.avg < n ? this.avg : n;
    const gear = this.gear;
    const maskS = this.maskS;
    const maskL = this.maskL;
    let h = 0;
    let i = start + this.min;
    const e1 = start + norm;
    const e2 = start + n;
    for (; i < e1; i++) {
      h = ((h << 1) + gear[b[i]!]!) | 0;
      if ((h & maskS) === 0) return i - start + 1;
    }
    for (; i < e2; i++) {
      h = ((h << 1) + gear[b[i]!]!) | 0;
      if ((h & maskL) === 0) return i - start + 1;
    }
    return n;
  }
}

/**
 * Streaming chunker: push blocks of any size; each whole chunk is handed to `onChunk` as a view into
 * the chunker's own buffer, valid only during the call (copy it to keep it). `finish()` emits the tail.
 * Memory: one buffer of max + 1 MiB, reused; nothing is allocated per chunk.
 */
export class StreamChunker {
  private readonly cutter: Cutter;
  private readonly buf: Buffer;
  private filled = 0;

  constructor(cutter: Cutter) {
    this.cutter = cutter;
    this.buf = Buffer.allocUnsafeSlow(cutter.max + 1024 * 1024);
  }

  push(data: Uint8Array, onChunk: (chunk: Buffer) => void): void {
    let off = 0;
    while (off < data.length) {
      const n = Math.min(this.buf.length - this.filled, data.length - off);
      this.buf.set(data.subarray(off, off + n), this.filled);
      this.filled += n;
      off += n;
      this.drain(false, onChunk);
    }
  }

  /**
   * Reads straight into the chunker's buffer (no copy): `read` fills `dst[off, off + len)` and returns
   * how many bytes it wrote (0 at the end). Whole chunks go to `onChunk` as with push().
   */
  fill(read: (dst: Buffer, off: number, len: number) => number, onChunk: (chunk: Buffer) => void): number {
    const n = read(this.buf, this.filled, this.buf.length - this.filled);
    this.filled += n;
    this.drain(false, onChunk);
    return n;
  }

  finish(onChunk: (chunk: Buffer) => void): void {
    this.drain(true, onChunk);
  }

  /** Drops buffered bytes (after a read error mid-file). */
  reset(): void {
    this.filled = 0;
  }

  private drain(final: boolean, onChunk: (chunk: Buffer) => void): void {
    let start = 0;
    while (this.filled - start >= this.cutter.max || (final && this.filled > start)) {
      const len = this.cutter.cut(this.buf, start, this.filled);
      onChunk(this.buf.subarray(start, start + len));
      start += len;
    }
    if (start > 0) {
      this.buf.copy(this.buf, 0, start, this.filled);
      this.filled -= start;
    }
  }
}
