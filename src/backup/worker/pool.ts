/**
 * A small pool of worker threads for the CPU-heavy steps (zstd, AES-GCM, HMAC over packs). Tasks queue per
 * worker, dispatched to the least busy; results come back as transferred ArrayBuffers.
 * Under tsx (tests, bench from source) the workers register tsx themselves before loading the entry.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CiviguardError } from '../../core/errors.js';
import { youngGenerationKeptSmall } from '../gc.js';
import type {
  PackedBatch,
  Placement,
  PlainBatch,
  SealedItems,
  VerifyPackInput,
  VerifyPackOutput,
  ZstdLevel,
} from './codec.js';
import type { WorkerRequest } from './entry.js';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Req = WorkerRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** What a worker is started with: its slot in the shared count of finished tasks. */
export interface WorkerInit {
  done: SharedArrayBuffer;
  index: number;
  /** The calling thread keeps its young generation small (the CLI does; a library user may not). */
  smallYoung: boolean;
}

function spawn(workerData: WorkerInit): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./entry.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  // a small young generation: the workers hold almost no JS objects, only buffers
  const resourceLimits = { maxYoungGenerationSizeMb: 4 };
  if (!fromSource) return new Worker(entry, { resourceLimits, workerData });
  const api = import.meta.resolve('tsx/esm/api');
  return new Worker(
    `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`,
    { eval: true, resourceLimits, workerData },
  );
}

export class WorkerPool {
  private readonly workers: { w: Worker; busy: number; sent: number }[] = [];
  /**
   * Tasks each worker has finished, counted by the worker itself: the calling thread can see how much
   * work is really queued without first handling the result messages (which wait while it is busy).
   */
  private done: Int32Array | null = null;
  private readonly pending = new Map<number, Pending & { slot: { busy: number } }>();
  private seq = 0;
  private failed: Error | null = null;
  private closed = false;

  /**
   * Default size: one worker per core but one. The calling thread reads, chunks and hashes while the
   * workers compress and seal, so on two cores one worker keeps both busy (measured: as fast as two,
   * ~20 MB less memory).
   */
  constructor(size = Math.max(1, Math.min(availableParallelism() - 1, 4))) {
    this.wanted = size;
  }

  private readonly wanted: number;

  /** Workers start on first use: an unchanged re-run never pays for them. */
  private start(): void {
    const sab = new SharedArrayBuffer(4 * this.wanted);
    this.done = new Int32Array(sab);
    for (let i = 0; i < this.wanted; i++) {
      const w = spawn({ done: sab, index: i, smallYoung: youngGenerationKeptSmall() });
      const slot = { w, busy: 0, sent: 0 };
      w.on('message', (m: { seq: number; ok: boolean; value?: unknown; message?: string; code?: string }) => {
        const p = this.pending.get(m.seq);
        if (!p) return;
        this.pending.delete(m.seq);
        p.slot.busy--;
        if (m.ok) p.resolve(m.value);
        else
          p.reject(
            m.code === 'E_BACKUP_CORRUPT'
              ? new CiviguardError('E_BACKUP_CORRUPT', m.message ?? '')
              : Object.assign(new Error(m.message), { code: m.code }), // fs codes (ENOSPC…) kept
          );
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`backup worker exited (${code})`));
      });
      this.workers.push(slot);
    }
  }

  get size(): number {
    return this.wanted;
  }

  /** Tasks queued or running. */
  get busy(): number {
    return this.pending.size;
  }

  /** Tasks the workers have not finished yet (their results may still be on the way). */
  get backlog(): number {
    let n = 0;
    for (const [i, s] of this.workers.entries()) n += s.sent - Atomics.load(this.done!, i);
    return n;
  }

  private fail(e: Error): void {
    this.failed ??= e;
    for (const [seq, p] of this.pending) {
      this.pending.delete(seq);
      p.reject(e);
    }
  }

  private run<T>(
    req: Req,
    transfer: ArrayBuffer[],
    on?: { w: Worker; busy: number; sent: number },
  ): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('worker pool closed'));
    if (!this.workers.length) this.start();
    const slot = on ?? this.workers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const seq = ++this.seq;
    slot.busy++;
    slot.sent++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(seq, { resolve: resolve as (v: unknown) => void, reject, slot });
      slot.w.postMessage({ ...req, seq }, transfer);
    });
  }

  /**
   * Seals a batch into the least busy worker's current pack; the batch buffer comes back in the result
   * for reuse, with the packs that filled up. `free` (written pack buffers) is handed over for reuse.
   */
  pack(
    batch: PlainBatch,
    key: Uint8Array,
    keyId: string,
    level: ZstdLevel,
    free: ArrayBuffer[],
    stage: string | null,
  ): Promise<PackedBatch> {
    return this.run({ op: 'pack', batch, key, keyId, level, flush: false, free, stage }, [
      batch.buf,
      ...free,
    ]);
  }

  /** Closes every worker's current pack; resolves with what each had. */
  flushPacks(key: Uint8Array, keyId: string, level: ZstdLevel, stage: string | null): Promise<PackedBatch[]> {
    return Promise.all(
      this.workers.map((slot) =>
        this.run<PackedBatch>(
          { op: 'pack', batch: null, key, keyId, level, flush: true, free: [], stage },
          [],
          slot,
        ),
      ),
    );
  }

  /** Abandons every worker's pack in progress (staged temp files are removed). */
  async abortPacks(): Promise<void> {
    if (this.failed || this.closed) return;
    await Promise.all(this.workers.map((slot) => this.run({ op: 'abort' }, [], slot).catch(() => undefined)));
  }

  verify(input: VerifyPackInput): Promise<VerifyPackOutput> {
    return this.run({ op: 'verify', input }, [input.buf]);
  }

  decode(
    batch: SealedItems,
    keys: Record<string, Uint8Array>,
    idKey: Uint8Array,
    verifyId = true,
  ): Promise<{ buf: ArrayBuffer; lengths: number[] }> {
    return this.run({ op: 'decode', batch, keys, idKey, verifyId }, [batch.buf]);
  }

  /** Opens a batch of blobs in a worker and writes each to its placements; resolves with the bytes written. */
  decodeWrite(
    batch: SealedItems,
    keys: Record<string, Uint8Array>,
    idKey: Uint8Array,
    verifyId: boolean,
    places: Placement[][],
  ): Promise<number> {
    return this.run({ op: 'decodeWrite', batch, keys, idKey, verifyId, places }, [batch.buf]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}
