/**
 * Builds pack files (docs/backup-format.md §5): sealed blobs are appended as they are made, hashed as
 * they land (the pack id is the SHA-256 of the whole file), then the header and trailer close it.
 * Two sinks: a reusable memory buffer (remote-only runs, prune's repacking), or a temp file in the
 * local repository's data dir (`FilePackBuilder`), which then only needs fsync + rename: no pack
 * ever sits in memory, the biggest saving in the backup's peak RSS.
 * Used where blobs are sealed: the backup workers, the calling thread's overflow sealing, and prune.
 */
import type { Hash } from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from './backends/backend.js';
import type { BlobRow, BlobType, PackHeader } from './format.js';
import { PACK_MAGIC, packTrailer, zjson } from './format.js';

/**
 * Packs are closed before a blob would take them past 4 MiB; a memory buffer also holds one maximal
 * blob (4 MiB chunk + seal) alone. A pack also closes at MAX_PACK_BLOBS, so its header stays small
 * however tiny the blobs are.
 */
export const PACK_TARGET = 4 * 1024 * 1024;
export const PACK_CAPACITY = PACK_TARGET + 64 * 1024;
export const MAX_PACK_BLOBS = 4096;

interface PackBase {
  id: string;
  size: number;
  header: PackHeader;
}

/** A pack in memory: the file's bytes, and the buffer behind parts[0] to recycle once written. */
export interface MemoryPack extends PackBase {
  parts: Uint8Array[];
  buffer: ArrayBuffer;
  file?: undefined;
}

/** A staged pack: the complete temp file (not yet fsynced). */
export interface StagedPack extends PackBase {
  file: string;
}

export type FinishedPack = MemoryPack | StagedPack;

/** What a pack sink must do; the row, key and hash bookkeeping is shared. */
abstract class PackWriter {
  protected size = 0;
  private pending = 0;
  /** The magic is written with the first blob, so an unused builder writes (and opens) nothing. */
  private begun = false;
  private rows: BlobRow[] = [];
  private readonly keys: string[] = [];
  private hash: Hash = createHash('sha256');

  get bytes(): number {
    return this.begun ? this.size + this.pending : PACK_MAGIC.length;
  }

  get count(): number {
    return this.rows.length;
  }

  /** True when a sealed blob of `len` bytes can still be appended to this pack. */
  abstract fits(len: number): boolean;
  protected abstract put(bytes: Uint8Array): void;
  protected abstract close(header: Buffer, trailer: Buffer, id: string, size: number): FinishedPack;

  /**
   * True when a blob of `len` sealed bytes should go into a new pack: this one has blobs and would
   * pass the target size (or its capacity, or the blob count) with it.
   */
  full(len: number): boolean {
    return (
      this.rows.length > 0 &&
      (this.bytes + len > PACK_TARGET || !this.fits(len) || this.rows.length >= MAX_PACK_BLOBS)
    );
  }

  protected start(): void {
    this.size = 0;
    this.pending = 0;
    this.begun = false;
    this.rows = [];
    this.keys.length = 0;
    this.hash = createHash('sha256');
  }

  /** Appends part of the blob being sealed (the bytes are copied or written out). */
  append(bytes: Uint8Array): void {
    if (!this.begun) {
      this.begun = true;
      this.put(PACK_MAGIC);
      this.hash.update(PACK_MAGIC);
      this.size = PACK_MAGIC.length;
    }
    this.put(bytes);
    this.hash.update(bytes);
    this.pending += bytes.length;
  }

  /** Records the bytes appended since the last commit as one sealed blob. */
  commit(id: string, type: BlobType, rawLength: number, compressed: 0 | 1, key: string): void {
    let ki = this.keys.indexOf(key);
    if (ki < 0) ki = this.keys.push(key) - 1;
    this.rows.push([id, type, this.size, this.pending, rawLength, compressed, ki]);
    this.size += this.pending;
    this.pending = 0;
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
    if (!this.fits(sealed.length)) throw new Error('blob does not fit into the pack');
    this.append(sealed);
    this.commit(id, type, rawLength, compressed, key);
  }

  finish(): FinishedPack {
    if (this.pending) throw new Error('pack builder: a blob was not committed');
    const header: PackHeader = { v: 1, keys: [...this.keys], blobs: this.rows };
    const h = zjson(header);
    const trailer = packTrailer(h.length);
    const id = this.hash.update(h).update(trailer).digest('hex');
    const pack = this.close(h, trailer, id, this.size + h.length + trailer.length);
    pack.header = header;
    this.start();
    return pack;
  }
}

/** A pack in one reusable memory buffer. */
export class PackBuilder extends PackWriter {
  private buf: Buffer;

  constructor(
    private readonly capacity = PACK_CAPACITY,
    private readonly take: () => ArrayBuffer = () => new ArrayBuffer(capacity),
  ) {
    super();
    this.buf = this.open();
    this.start();
  }

  private open(): Buffer {
    const ab = this.take();
    if (ab.byteLength < this.capacity) throw new Error('pack buffer too small');
    return Buffer.from(ab, 0, this.capacity);
  }

  fits(len: number): boolean {
    return this.bytes + len <= this.capacity;
  }

  protected put(bytes: Uint8Array): void {
    if (this.bytes + bytes.length > this.capacity) throw new Error('blob does not fit into the pack buffer');
    this.buf.set(bytes, this.bytes);
  }

  override finish(): MemoryPack {
    return super.finish() as MemoryPack;
  }

  protected close(h: Buffer, trailer: Buffer, id: string, size: number): MemoryPack {
    const pack: MemoryPack = {
      id,
      size,
      header: { v: 1, keys: [], blobs: [] },
      parts: [this.buf.subarray(0, this.size), h, trailer],
      buffer: this.buf.buffer as ArrayBuffer,
    };
    this.buf = this.open();
    return pack;
  }

  /** Drops the buffer of an empty builder that will not be used again. */
  release(): void {
    if (this.count) throw new Error('pack builder still holds blobs');
    this.buf = Buffer.alloc(0);
  }
}

const WRITE_BUFFER = 256 * 1024;

/**
 * A pack written straight to a temp file (`.tmp-…`, which list() skips and prune removes if a crash
 * leaves it) through a small write buffer. The caller fsyncs and renames it into place.
 */
export class FilePackBuilder extends PackWriter {
  private fd = -1;
  private path = '';
  private readonly wbuf = Buffer.allocUnsafeSlow(WRITE_BUFFER);
  private wlen = 0;

  constructor(private readonly dir: string) {
    super();
    this.start();
  }

  fits(len: number): boolean {
    return this.bytes + len <= PACK_CAPACITY;
  }

  private ensureOpen(): void {
    if (this.fd >= 0) return;
    this.path = join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    this.fd = openSync(this.path, 'wx', 0o600);
  }

  private drain(): void {
    let off = 0;
    while (off < this.wlen) off += writeSync(this.fd, this.wbuf, off, this.wlen - off);
    this.wlen = 0;
  }

  protected put(bytes: Uint8Array): void {
    this.ensureOpen();
    if (this.wlen + bytes.length > WRITE_BUFFER) this.drain();
    if (bytes.length >= WRITE_BUFFER) {
      let off = 0;
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      return;
    }
    this.wbuf.set(bytes, this.wlen);
    this.wlen += bytes.length;
  }

  protected close(h: Buffer, trailer: Buffer, id: string, size: number): StagedPack {
    this.put(h);
    this.put(trailer);
    this.drain();
    closeSync(this.fd);
    const file = this.path;
    this.fd = -1;
    this.path = '';
    return { id, size, header: { v: 1, keys: [], blobs: [] }, file };
  }

  /** Closes and removes the pack being written (after a failure, or when the run is abandoned). */
  abort(): void {
    if (this.fd >= 0) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable
      }
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
    }
    this.fd = -1;
    this.path = '';
    this.wlen = 0;
    this.start();
  }
}
