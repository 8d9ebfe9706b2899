/**
 * Builds pack files (docs/backup-format.md §5) in one reusable buffer: blobs are sealed straight into
 * it (no copy) and hashed as they land (the pack id is the SHA-256 of the whole file), then the
 * header and trailer close it. Used where blobs are sealed: the backup workers, the calling thread's
 * overflow sealing, and prune's repacking.
 */
import type { Hash } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { BlobRow, BlobType, PackHeader } from './format.js';
import { PACK_MAGIC, packTrailer, zjson } from './format.js';

/**
 * Packs are closed before a blob would take them past 4 MiB; the buffer also holds one maximal blob
 * (4 MiB chunk + seal) alone. A pack also closes at MAX_PACK_BLOBS, so its header stays small however
 * tiny the blobs are.
 */
export const PACK_TARGET = 4 * 1024 * 1024;
export const PACK_CAPACITY = PACK_TARGET + 64 * 1024;
export const MAX_PACK_BLOBS = 4096;

export interface FinishedPack {
  id: string;
  size: number;
  parts: Uint8Array[];
  header: PackHeader;
  /** The pack's buffer (its blobs are parts[0]), to recycle once the pack is written. */
  buffer: ArrayBuffer;
}

export class PackBuilder {
  private buf: Buffer;
  private size = 0;
  private rows: BlobRow[] = [];
  private readonly keys: string[] = [];
  private hash: Hash;

  constructor(
    private readonly capacity = PACK_CAPACITY,
    private readonly take: () => ArrayBuffer = () => new ArrayBuffer(capacity),
  ) {
    this.buf = this.open();
    this.hash = createHash('sha256').update(PACK_MAGIC);
  }

  private open(): Buffer {
    const ab = this.take();
    if (ab.byteLength < this.capacity) throw new Error('pack buffer too small');
    const b = Buffer.from(ab, 0, this.capacity);
    PACK_MAGIC.copy(b, 0);
    this.size = PACK_MAGIC.length;
    return b;
  }

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.rows.length;
  }

  /** True when a sealed blob of `len` bytes still fits into this pack's buffer. */
  fits(len: number): boolean {
    return this.size + len <= this.capacity;
  }

  /**
   * True when a blob of `len` sealed bytes should go into a new pack: this one has blobs and would
   * pass the target size (or the buffer, or the blob count) with it.
   */
  full(len: number): boolean {
    return (
      this.rows.length > 0 &&
      (this.size + len > PACK_TARGET || !this.fits(len) || this.rows.length >= MAX_PACK_BLOBS)
    );
  }

  /** The free space of the buffer, for sealing a blob in place; `commit` then records it. */
  tail(): Buffer {
    return this.buf.subarray(this.size);
  }

  /** Records the `len` bytes just written at `tail()` as one sealed blob. */
  commit(id: string, type: BlobType, len: number, rawLength: number, compressed: 0 | 1, key: string): void {
    if (!this.fits(len)) throw new Error('blob does not fit into the pack buffer');
    let ki = this.keys.indexOf(key);
    if (ki < 0) ki = this.keys.push(key) - 1;
    this.rows.push([id, type, this.size, len, rawLength, compressed, ki]);
    this.hash.update(this.buf.subarray(this.size, this.size + len));
    this.size += len;
  }

  /** Copies an already sealed blob in (prune's repacking). */
  add(
    id: string,
    type: BlobType,
    sealed: Uint8Array,
    rawLength: number,
    compressed: 0 | 1,
    key: string,
  ): void {
    if (!this.fits(sealed.length)) throw new Error('blob does not fit into the pack buffer');
    this.buf.set(sealed, this.size);
    this.commit(id, type, sealed.length, rawLength, compressed, key);
  }

  /** Drops the buffer of an empty builder that will not be used again. */
  release(): void {
    if (this.rows.length) throw new Error('pack builder still holds blobs');
    this.buf = Buffer.alloc(0);
  }

  finish(): FinishedPack {
    const header: PackHeader = { v: 1, keys: [...this.keys], blobs: this.rows };
    const h = zjson(header);
    const trailer = packTrailer(h.length);
    const id = this.hash.update(h).update(trailer).digest('hex');
    const pack: FinishedPack = {
      id,
      size: this.size + h.length + trailer.length,
      parts: [this.buf.subarray(0, this.size), h, trailer],
      header,
      buffer: this.buf.buffer as ArrayBuffer,
    };
    this.buf = this.open();
    this.hash = createHash('sha256').update(PACK_MAGIC);
    this.rows = [];
    this.keys.length = 0;
    return pack;
  }
}
