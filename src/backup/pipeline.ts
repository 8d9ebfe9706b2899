/**
 * The write path of `run`: new blobs are batched, then compressed and sealed straight into ~4 MiB
 * pack files by the worker pool (or by this thread when the workers are busy), and each pack is
 * written to every live destination. With a local destination the packs are written as temp files
 * into it as they fill (see `home`); otherwise they are built in memory. Backpressure keeps memory
 * bounded (batches in flight, packs being copied out). A destination whose write fails is marked
 * failed and dropped; the others go on.
 */
import { readFile, unlink } from 'node:fs/promises';
import { CiviguardError, describeError } from '../core/errors.js';
import { DATA_CHUNKS } from './chunker.js';
import type { Backend } from './backends/backend.js';
import { dataName, ioError } from './backends/backend.js';
import type { BlobType, IndexPack } from './format.js';
import type { FinishedPack } from './pack-builder.js';
import { PACK_CAPACITY } from './pack-builder.js';
import type { PackedBatch, PlainBatch, ZstdLevel } from './worker/codec.js';
import { Packer, fromMessage, releaseScratch } from './worker/codec.js';
import type { WorkerPool } from './worker/pool.js';

/**
 * Memory budget of the write path (the bench's peak-RSS goal is 150 MB): batches to the workers carry
 * up to 1 MiB or 512 blobs; a chunk bigger than that (data chunks reach 4 MiB) travels alone in one
 * of MAX_BIG buffers of the big size, or is sealed on this thread, in place, when none is free. At
 * most two batches per worker are queued (beyond that this thread seals the next batch itself, into
 * its own pack). Each sealing thread fills one pack (a temp file, or a memory buffer), and at most
 * MAX_HOLDING + 1 finished packs are held in memory while they are copied out.
 * Every batch and pack buffer is recycled, never freed: glibc raises its mmap threshold to the size of
 * a freed mmapped block, after which blocks that size come from (and stay in) the malloc heap.
 */
const BATCH_BYTES = 1024 * 1024;
const BIG_BYTES = DATA_CHUNKS.max;
const BATCH_COUNT = 512;
const MAX_HOLDING = 0;
/** Big-chunk buffers at most; a big chunk finding none free is sealed on this thread. */
const MAX_BIG = 2;
/** Pack writes in flight (those past MAX_HOLDING no longer hold a buffer: they wait for fsync). */
const MAX_UPLOADS = 8;
/** Batches queued per worker before the calling thread seals one itself. */
const QUEUE_PER_WORKER = 2;

export interface Destination {
  backend: Backend;
  required: boolean;
  /** Set once a write failed; the destination gets nothing more. */
  error: string | null;
  /** Packs written to this destination in this run (for its index file). */
  packs: IndexPack[];
}

/** What a destination's index file records of a pack it got. */
function indexEntry(pack: FinishedPack): IndexPack {
  return { id: pack.id, size: pack.size, keys: pack.header.keys, blobs: pack.header.blobs };
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
  /** Recycled buffers: batch inputs (normal and big), memory packs. */
  private readonly freeIn: ArrayBuffer[] = [];
  private readonly freeBig: ArrayBuffer[] = [];
  private bigMade = 0;
  private readonly freePacks: ArrayBuffer[] = [];
  private batch: Uint8Array;
  private items: { id: string; type: BlobType; off: number; len: number }[] = [];
  private fill = 0;
  private encodingBatches = 0;
  /** Packs held in memory while some destination still reads them. */
  private holding = 0;
  /** Batches handed on so far, and that count when room() last yielded to the event loop. */
  private dispatched = 0;
  private yieldedAt = -1;
  private readonly encodes = new Set<Promise<void>>();
  private readonly uploads = new Set<Promise<void>>();
  /** Seals the batches this thread takes on itself (see flushBatch). */
  private readonly packer: Packer;
  private waiters: (() => void)[] = [];
  private error: Error | null = null;

  constructor(
    private readonly pool: WorkerPool,
    private readonly key: Buffer,
    private readonly keyId: string,
    private readonly level: ZstdLevel,
    private readonly dests: Destination[],
    /** True when every live destination already has the blob. */
    private readonly known: (id: string) => boolean,
    private readonly onPackWritten: (bytes: number) => void = () => undefined,
    /**
     * A local destination whose filesystem takes the packs as they are sealed (temp files in its
     * data dir, renamed into place): no pack is then held in memory. The others get a copy.
     */
    private readonly home: Destination | null = null,
  ) {
    this.batch = new Uint8Array(this.takeIn());
    this.stage = home?.backend.stageDir?.() ?? null;
    this.packer = new Packer(
      key,
      keyId,
      level,
      this.stage,
      () => this.freePacks.pop() ?? new ArrayBuffer(PACK_CAPACITY),
    );
  }

  private readonly stage: string | null;

  /** A sealing failure; writing a staged pack is writing to the home destination, and says so. */
  private fail(e: unknown): void {
    const code = (e as { code?: unknown }).code;
    if (this.home && typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'E_BACKUP_CORRUPT') {
      this.error ??= new CiviguardError(
        'E_BACKUP',
        ioError(this.home.backend.location, 'write', 'a new pack', e).message,
      );
    } else this.error ??= e instanceof Error ? e : new Error(String(e));
  }

  private takeIn(): ArrayBuffer {
    return this.freeIn.pop() ?? new ArrayBuffer(BATCH_BYTES);
  }

  /** True once the write path failed (the run cannot succeed). */
  get broken(): boolean {
    return this.error !== null || !this.dests.some((d) => d.error === null);
  }

  /** True when the blob is already stored or queued (no need to hand its data over). */
  has(id: string): boolean {
    return this.seen.has(id) || this.known(id);
  }

  /** Queues a blob unless it is known. `data` is copied (a view into a reused buffer is fine). */
  add(id: string, type: BlobType, data: Uint8Array): void {
    this.check();
    if (this.has(id)) return;
    this.seen.add(id);
    if (data.length > BATCH_BYTES) {
      // a big chunk travels alone
      if (data.length > BIG_BYTES) throw new Error(`blob of ${data.length} bytes is too big`);
      this.flushBatch();
      const item = { id, type, off: 0, len: data.length };
      if (this.workersBusy() || (!this.freeBig.length && this.bigMade >= MAX_BIG)) {
        // sealed here, straight from the caller's buffer: no copy, no big buffer
        this.dispatched++;
        this.sealHere(data.buffer as ArrayBuffer, [{ ...item, off: data.byteOffset }], false);
        return;
      }
      let own = this.freeBig.pop();
      if (!own) {
        own = new ArrayBuffer(BIG_BYTES);
        this.bigMade++;
      }
      new Uint8Array(own).set(data);
      this.dispatch(own, [item]);
      return;
    }
    if (this.fill + data.length > BATCH_BYTES) this.flushBatch();
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
    // (once per dispatched batch is enough: a turn of the event loop per small file costs more than
    // the file's own reading)
    if (this.encodingBatches > 0 && this.dispatched !== this.yieldedAt) {
      this.yieldedAt = this.dispatched;
      await new Promise<void>((r) => setImmediate(r));
    }
    while (!this.error && (this.holding > MAX_HOLDING || this.uploads.size > MAX_UPLOADS)) {
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
    this.dispatch(buf, items);
  }

  /**
   * True when every worker has a queue. The workers' real backlog decides (results wait while this
   * thread is busy); the count of unhandled results bounds the buffers in flight.
   */
  private workersBusy(): boolean {
    return (
      this.pool.backlog >= QUEUE_PER_WORKER * this.pool.size ||
      this.encodingBatches >= 2 * QUEUE_PER_WORKER * this.pool.size
    );
  }

  private sealHere(buf: ArrayBuffer, items: PlainBatch['items'], recycle: boolean): void {
    try {
      const added = this.packer.add({ buf, items });
      if (recycle) this.recycle(buf);
      this.onPacked(added, this.packer.take());
    } catch (e) {
      this.packer.abort();
      this.fail(e);
    }
  }

  /** Hands a batch to a worker, or seals it on this thread when every worker has a queue. */
  private dispatch(buf: ArrayBuffer, items: PlainBatch['items']): void {
    this.dispatched++;
    if (this.workersBusy()) {
      // every worker has a queue: seal this batch here instead of waiting, so that the reading
      // thread's spare time goes to compression too (two cores busy with one worker thread)
      this.sealHere(buf, items, true);
      return;
    }
    this.encodingBatches++;
    // hand a written pack buffer back with the batch, so that workers recycle them too
    const free = this.freePacks.length ? [this.freePacks.pop()!] : [];
    const job = this.pool
      .pack({ buf, items }, this.key, this.keyId, this.level, free, this.stage)
      .then((r) => this.onWorkerPacked(r))
      .catch((e: unknown) => this.fail(e))
      .finally(() => {
        this.encodingBatches--;
        this.encodes.delete(job);
        this.wake();
      });
    this.encodes.add(job);
  }

  private recycle(buf: ArrayBuffer): void {
    (buf.byteLength === BIG_BYTES ? this.freeBig : this.freeIn).push(buf);
  }

  private onWorkerPacked(r: PackedBatch): void {
    if (r.in) this.recycle(r.in);
    this.freePacks.push(...r.spare);
    this.onPacked(r, r.packs.map(fromMessage));
  }

  private onPacked(
    added: { blobs: number; rawBytes: number; sealedBytes: number },
    packs: FinishedPack[],
  ): void {
    this.stats.newBlobs += added.blobs;
    this.stats.newRawBytes += added.rawBytes;
    this.stats.newBytes += added.sealedBytes;
    for (const p of packs) this.writePack(p);
  }

  private writePack(pack: FinishedPack): void {
    if (pack.file !== undefined) return this.writeStaged(pack, pack.file);
    this.stats.packs++;
    const name = dataName(pack.id);
    const live = this.dests.filter((d) => d.error === null);
    // the pack buffer is recycled once every destination has its bytes (a local write hands them to
    // the OS before its fsync), so only packs still being copied count against the memory budget
    let holders = live.length;
    this.holding++;
    const release = () => {
      if (--holders > 0) return;
      this.holding--;
      this.freePacks.push(pack.buffer);
      this.wake();
    };
    if (!live.length) release();
    const job = Promise.all(
      live.map(async (d) => {
        let done = false;
        const once = () => {
          if (!done) {
            done = true;
            release();
          }
        };
        try {
          await d.backend.write(name, pack.parts, once);
          d.packs.push(indexEntry(pack));
        } catch (e) {
          d.error ??= describeError(e);
        } finally {
          once();
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

  /**
   * A pack the sealing thread wrote as a temp file in the home destination: the other destinations get
   * a copy read back from it (the page cache has it), then the home destination adopts it (fsync +
   * rename). If the home destination failed meanwhile, the temp file is removed.
   */
  private writeStaged(pack: FinishedPack, file: string): void {
    this.stats.packs++;
    const name = dataName(pack.id);
    const others = this.dests.filter((d) => d.error === null && d !== this.home);
    const job = (async () => {
      if (others.length) {
        this.holding++;
        try {
          const bytes = await readFile(file);
          await Promise.all(
            others.map(async (d) => {
              try {
                await d.backend.write(name, [bytes]);
                d.packs.push(indexEntry(pack));
              } catch (e) {
                d.error ??= describeError(e);
              }
            }),
          );
        } catch (e) {
          for (const d of others) d.error ??= describeError(e);
        } finally {
          this.holding--;
          this.wake();
        }
      }
      const home = this.home!;
      if (home.error === null) {
        try {
          await home.backend.adopt!(file, name);
          home.packs.push(indexEntry(pack));
        } catch (e) {
          home.error ??= describeError(e);
        }
      } else await unlink(file).catch(() => undefined);
    })()
      .then(() => this.onPackWritten(pack.size))
      .finally(() => {
        this.uploads.delete(job);
        this.wake();
      });
    this.uploads.add(job);
  }

  /**
   * After a failure: the packs being filled are abandoned (staged temp files removed) and the writes
   * in flight are waited for. Packs already written stay, unreferenced, until prune.
   */
  async discard(): Promise<void> {
    await this.pool.abortPacks();
    this.packer.abort();
    while (this.encodes.size) await Promise.allSettled([...this.encodes]);
    while (this.uploads.size) await Promise.allSettled([...this.uploads]);
  }

  /**
   * Lets go of every recycled buffer once the data is written, so that the index, refs and files
   * cache that the run writes next do not add their peak on top of the write path's.
   */
  release(): void {
    this.freeIn.length = 0;
    this.freeBig.length = 0;
    this.freePacks.length = 0;
    this.batch = new Uint8Array(0);
    this.packer.release();
    releaseScratch();
  }

  /** Flushes everything; resolves when every pack is written (or its destinations failed). */
  async finish(): Promise<void> {
    this.flushBatch();
    while (this.encodes.size) await Promise.all([...this.encodes]);
    if (this.error) throw this.error;
    this.packer.flush();
    this.onPacked({ blobs: 0, rawBytes: 0, sealedBytes: 0 }, this.packer.take());
    for (const r of await this.pool.flushPacks(this.key, this.keyId, this.level, this.stage))
      this.onWorkerPacked(r);
    if (this.error) throw this.error;
    while (this.uploads.size) await Promise.all([...this.uploads]);
    this.check();
  }
}
