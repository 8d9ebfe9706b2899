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
import { encodeBatch, sealedCapacity } from './worker/codec.js';
import type { WorkerPool } from './worker/pool.js';

/**
 * Memory budget of the write path (the bench's peak-RSS goal is 150 MB): packs are closed before a
 * blob would take them past 4 MiB, and a pack buffer also holds one maximal blob (4 MiB chunk +
 * seal) alone; batches to the workers carry up to 1 MiB or 512 blobs (or one bigger chunk alone);
 * at most three batches per worker are queued (beyond that the calling thread seals the next batch
 * itself), and one pack is written while the next one fills. Every buffer is recycled.
 */
export const PACK_TARGET = 4 * 1024 * 1024;
const PACK_CAPACITY = PACK_TARGET + 64 * 1024;
const BATCH_BYTES = 1024 * 1024;
const BATCH_COUNT = 512;
const BATCH_CAPACITY = 4 * 1024 * 1024 + 64 * 1024;
const MAX_UPLOADS = 2;
/** Batches queued per worker before the calling thread seals one itself (measured best at 3). */
const QUEUE_PER_WORKER = 3;

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
  /** The pack's buffer, to recycle once it is written. */
  buffer: Buffer;
}

/** Builds pack files from sealed blobs, copying them into one buffer per pack. */
export class PackBuilder {
  private buf: Buffer;
  private size = PACK_MAGIC.length;
  private rows: BlobRow[] = [];
  private readonly keys: string[] = [];

  constructor(
    private readonly capacity = PACK_CAPACITY,
    private readonly take: () => Buffer = () => Buffer.allocUnsafeSlow(capacity),
  ) {
    this.buf = take();
    PACK_MAGIC.copy(this.buf, 0);
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

  add(
    id: string,
    type: BlobType,
    sealed: Uint8Array,
    rawLength: number,
    compressed: 0 | 1,
    key: string,
  ): void {
    if (!this.fits(sealed.length)) throw new Error('blob does not fit into the pack buffer');
    let ki = this.keys.indexOf(key);
    if (ki < 0) ki = this.keys.push(key) - 1;
    this.rows.push([id, type, this.size, sealed.length, rawLength, compressed, ki]);
    this.buf.set(sealed, this.size);
    this.size += sealed.length;
  }

  finish(): FinishedPack {
    const header: PackHeader = { v: 1, keys: [...this.keys], blobs: this.rows };
    const h = zjson(header);
    const parts = [this.buf.subarray(0, this.size), h, packTrailer(h.length)];
    const hash = createHash('sha256');
    for (const p of parts) hash.update(p);
    const pack = { id: hash.digest('hex'), size: this.size + h.length + 8, parts, header, buffer: this.buf };
    this.buf = this.take();
    PACK_MAGIC.copy(this.buf, 0);
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
  /** Recycled buffers: batch inputs, sealed outputs, packs. */
  private readonly freeIn: ArrayBuffer[] = [];
  private readonly freeOut: ArrayBuffer[] = [];
  private readonly freePacks: Buffer[] = [];
  private batch: Uint8Array;
  private items: { id: string; type: BlobType; off: number; len: number }[] = [];
  private fill = 0;
  private encodingBatches = 0;
  private readonly encodes = new Set<Promise<void>>();
  private readonly uploads = new Set<Promise<void>>();
  private readonly builder: PackBuilder;
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
  ) {
    this.batch = new Uint8Array(this.takeIn());
    this.builder = new PackBuilder(
      PACK_CAPACITY,
      () => this.freePacks.pop() ?? Buffer.allocUnsafeSlow(PACK_CAPACITY),
    );
  }

  private takeIn(): ArrayBuffer {
    return this.freeIn.pop() ?? new ArrayBuffer(BATCH_CAPACITY);
  }

  private takeOut(): ArrayBuffer {
    return this.freeOut.pop() ?? new ArrayBuffer(sealedCapacity(BATCH_CAPACITY, BATCH_COUNT));
  }

  /** True when the blob is already stored or queued (no need to hand its data over). */
  has(id: string): boolean {
    return this.seen.has(id) || this.known(id);
  }

  /** Queues a blob unless it is known. `data` is copied (a view into a reused buffer is fine). */
  add(id: string, type: BlobType, data: Uint8Array): void {
    this.check();
    if (this.has(id)) return;
    if (data.length > BATCH_CAPACITY)
      throw new Error(`blob of ${data.length} bytes exceeds the batch capacity`);
    this.seen.add(id);
    // keep batches small: a buffer's touched memory is at most max(BATCH_BYTES, one chunk)
    if (this.fill > 0 && this.fill + data.length > BATCH_BYTES) this.flushBatch();
    this.batch.set(data, this.fill);
    this.items.push({ id, type, off: this.fill, len: data.length });
    this.fill += data.length;
    if (this.fill >= BATCH_BYTES || this.items.length >= BATCH_COUNT) this.flushBatch();
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
    // let the event loop deliver finished batches (worker messages are macrotasks: a microtask-only
    // await would leave the queue looking full and starve the workers)
    if (this.encodingBatches > 0) await new Promise<void>((r) => setImmediate(r));
    while (!this.error && this.uploads.size > MAX_UPLOADS) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    this.check();
  }

  private flushBatch(): void {
    if (!this.items.length) return;
    const items = this.items;
    const buf = this.batch.buffer as ArrayBuffer;
    this.items = [];
    this.fill = 0;
    this.batch = new Uint8Array(this.takeIn());
    if (this.encodingBatches >= QUEUE_PER_WORKER * this.pool.size) {
      // every worker has a queue: seal this batch here instead of waiting, so that the reading
      // thread's spare time goes to compression too (two cores busy with one worker thread)
      try {
        this.onSealed(encodeBatch({ buf, items }, this.takeOut(), this.key, this.level));
      } catch (e) {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      }
      return;
    }
    this.encodingBatches++;
    const job = this.pool
      .encode({ buf, items }, this.takeOut(), this.key, this.level)
      .then((sealed) => this.onSealed(sealed))
      .catch((e: unknown) => {
        this.error ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => {
        this.encodingBatches--;
        this.encodes.delete(job);
        this.wake();
      });
    this.encodes.add(job);
  }

  private onSealed(s: SealedBatch): void {
    const all = new Uint8Array(s.buf);
    for (const it of s.items) {
      if (this.builder.count > 0 && (this.builder.bytes + it.len > PACK_TARGET || !this.builder.fits(it.len)))
        this.writePack();
      this.builder.add(
        it.id,
        it.type,
        all.subarray(it.off, it.off + it.len),
        it.rawLength,
        it.compressed,
        this.keyId,
      );
      this.stats.newBlobs++;
      this.stats.newRawBytes += it.rawLength;
      this.stats.newBytes += it.len;
    }
    this.freeIn.push(s.in);
    this.freeOut.push(s.buf);
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
        this.freePacks.push(pack.buffer);
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
