/**
 * The write path of `run`: new blobs are batched, compressed and sealed by the worker pool, packed
 * into ~16 MiB pack files, and each pack is written to every live destination. Backpressure keeps
 * memory bounded (encode batches in flight, packs being uploaded). A destination whose write fails is
 * marked failed and dropped; the others go on.
 */
import { createHash } from 'node:crypto';
import { CiviguardError, describeError } from '../core/errors.js';
import type { Backend } from './backends/backend.js';
import { dataName } from './backends/backend.js';
import type { BlobRow, BlobType, IndexPack, PackHeader } from './format.js';
import { PACK_MAGIC, packTrailer, zjson } from './format.js';
import type { SealedBatch } from './worker/codec.js';
import type { WorkerPool } from './worker/pool.js';

export const PACK_TARGET = 16 * 1024 * 1024;
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_COUNT = 512;
const MAX_ENCODING_BYTES = 24 * 1024 * 1024;
const MAX_UPLOADS = 2;

export interface Destination {
  backend: Backend;
  required: boolean;
  /** Set once a write failed; the destination gets nothing more. */
  error: string | null;
  /** Packs written to this destination in this run (for its index file). */
  packs: IndexPack[];
}

export interface FinishedPack {
  id: string;
  size: number;
  parts: Uint8Array[];
  header: PackHeader;
}

/** Builds pack files from sealed blobs. */
export class PackBuilder {
  private parts: Uint8Array[] = [PACK_MAGIC];
  private rows: BlobRow[] = [];
  private size = PACK_MAGIC.length;
  private readonly keys: string[] = [];

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.rows.length;
  }

  add(
    id: string,
    type: BlobType,
    sealed: Uint8Array,
    rawLength: number,
    compressed: 0 | 1,
    key: string,
  ): void {
    let ki = this.keys.indexOf(key);
    if (ki < 0) ki = this.keys.push(key) - 1;
    this.rows.push([id, type, this.size, sealed.length, rawLength, compressed, ki]);
    this.parts.push(sealed);
    this.size += sealed.length;
  }

  finish(): FinishedPack {
    const header: PackHeader = { v: 1, keys: [...this.keys], blobs: this.rows };
    const h = zjson(header);
    const parts = [...this.parts, h, packTrailer(h.length)];
    const hash = createHash('sha256');
    for (const p of parts) hash.update(p);
    const pack = { id: hash.digest('hex'), size: this.size + h.length + 8, parts, header };
    this.parts = [PACK_MAGIC];
    this.rows = [];
    this.size = PACK_MAGIC.length;
    this.keys.length = 0;
    return pack;
  }
}

export interface PipelineStats {
  newBlobs: number;
  /** Plaintext bytes of new blobs. */
  newRawBytes: number;
  /** Sealed bytes of new blobs (what the repository grew by, before pack headers). */
  newBytes: number;
  packs: number;
}

export class Pipeline {
  readonly stats: PipelineStats = { newBlobs: 0, newRawBytes: 0, newBytes: 0, packs: 0 };
  private readonly seen = new Set<string>();
  private batch: { id: string; type: BlobType; data: Buffer }[] = [];
  private batchBytes = 0;
  private encodingBytes = 0;
  private readonly encodes = new Set<Promise<void>>();
  private readonly uploads = new Set<Promise<void>>();
  private readonly builder = new PackBuilder();
  private waiters: (() => void)[] = [];
  private error: Error | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly key: Buffer,
    private readonly keyId: string,
    private readonly level: number,
    private readonly dests: Destination[],
    /** True when every live destination already has the blob. */
    private readonly known: (id: string) => boolean,
    private readonly onPackWritten: (bytes: number) => void = () => undefined,
  ) {}

  /** True when the blob is already stored or queued (no need to hand its data over). */
  has(id: string): boolean {
    return this.seen.has(id) || this.known(id);
  }

  /** Queues a blob unless it is known; `data` must own its ArrayBuffer (it is transferred). */
  add(id: string, type: BlobType, data: Buffer): void {
    this.check();
    if (this.has(id)) return;
    this.seen.add(id);
    this.batch.push({ id, type, data });
    this.batchBytes += data.length;
    if (this.batchBytes >= BATCH_BYTES || this.batch.length >= BATCH_COUNT) this.flushBatch();
  }

  private check(): void {
    if (this.error) throw this.error;
    if (!this.dests.some((d) => d.error === null)) {
      const why = this.dests.map((d) => `${d.backend.location.display}: ${d.error}`).join('; ');
      this.error = new CiviguardError('E_BACKUP', `every destination failed: ${why}`);
      throw this.error;
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when there is room for more work (bounded memory). */
  async room(): Promise<void> {
    while (!this.error && (this.encodingBytes > MAX_ENCODING_BYTES || this.uploads.size >= MAX_UPLOADS)) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    this.check();
  }

  private flushBatch(): void {
    if (!this.batch.length) return;
    const items = this.batch;
    const total = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    const buf = new Uint8Array(total);
    const plain: { id: string; type: BlobType; off: number; len: number }[] = [];
    let p = 0;
    for (const it of items) {
      buf.set(it.data, p);
      plain.push({ id: it.id, type: it.type, off: p, len: it.data.length });
      p += it.data.length;
    }
    this.encodingBytes += total;
    const job = this.pool
      .encode({ buf: buf.buffer, items: plain }, this.key, this.level)
      .then((sealed) => this.onSealed(sealed))
      .catch((e: unknown) => {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.encodingBytes -= total;
        this.encodes.delete(job);
        this.wake();
      });
    this.encodes.add(job);
  }

  private onSealed(s: SealedBatch): void {
    const all = new Uint8Array(s.buf);
    for (const it of s.items) {
      const sealed = all.subarray(it.off, it.off + it.len);
      this.builder.add(it.id, it.type, sealed, it.rawLength, it.compressed, this.keyId);
      this.stats.newBlobs++;
      this.stats.newRawBytes += it.rawLength;
      this.stats.newBytes += it.len;
      if (this.builder.bytes >= PACK_TARGET) this.writePack();
    }
  }

  private writePack(): void {
    if (this.builder.count === 0) return;
    const pack = this.builder.finish();
    this.stats.packs++;
    const name = dataName(pack.id);
    const live = this.dests.filter((d) => d.error === null);
    const job = Promise.all(
      live.map(async (d) => {
        try {
          await d.backend.write(name, pack.parts);
          d.packs.push({ id: pack.id, size: pack.size, keys: pack.header.keys, blobs: pack.header.blobs });
        } catch (e) {
          d.error ??= describeError(e);
        }
      }),
    )
      .then(() => this.onPackWritten(pack.size))
      .finally(() => {
        this.uploads.delete(job);
        this.wake();
      });
    this.uploads.add(job);
  }

  /** Flushes everything; resolves when every pack is written (or its destinations failed). */
  async finish(): Promise<void> {
    this.flushBatch();
    while (this.encodes.size) await Promise.all([...this.encodes]);
    if (this.error) throw this.error;
    this.writePack();
    while (this.uploads.size) await Promise.all([...this.uploads]);
    this.check();
  }
}
