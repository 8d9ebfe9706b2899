/** Worker thread entry: runs codec.ts functions on request from worker/pool.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { gcEvery, keepYoungGenerationSmall } from '../gc.js';
import { PACK_CAPACITY } from '../pack-builder.js';
import type { PackedBatch, Placement, PlainBatch, SealedItems, VerifyPackInput, ZstdLevel } from './codec.js';
import { Packer, decodeBatch, decodeWrite, toMessage, transferOf, verifyPack } from './codec.js';
import type { WorkerInit } from './pool.js';

export type WorkerRequest =
  | {
      seq: number;
      op: 'pack';
      /** null: only flush. */
      batch: PlainBatch | null;
      key: Uint8Array;
      keyId: string;
      level: ZstdLevel;
      /** Close the current pack after this batch. */
      flush: boolean;
      /** Written pack buffers handed back for reuse. */
      free: ArrayBuffer[];
      /** The local repository's data dir to write packs into as temp files, or null (memory). */
      stage: string | null;
    }
  | { seq: number; op: 'abort' }
  | { seq: number; op: 'verify'; input: VerifyPackInput }
  | {
      seq: number;
      op: 'decodeWrite';
      batch: SealedItems;
      keys: Record<string, Uint8Array>;
      idKey: Uint8Array;
      verifyId: boolean;
      places: Placement[][];
    }
  | {
      seq: number;
      op: 'decode';
      batch: SealedItems;
      keys: Record<string, Uint8Array>;
      idKey: Uint8Array;
      verifyId: boolean;
    };

const port = parentPort!;
const init = workerData as WorkerInit;
const done = new Int32Array(init.done);

// V8's flags are process-wide, and a starting worker sets them back: repeat the calling thread's
// choice (see gc.ts), or its young generation grows after all
if (init.smallYoung) keepYoungGenerationSmall();

/** This thread's packers (one per session key) and its spare pack buffers. */
const packers = new Map<string, Packer>();
const spare: ArrayBuffer[] = [];

/** The cipher's output buffers are garbage as soon as they are copied: collect them every 4 MB. */
const collect = gcEvery(4 * 1024 * 1024);

port.on('message', (req: WorkerRequest) => {
  try {
    switch (req.op) {
      case 'pack': {
        spare.push(...req.free);
        let packer = packers.get(req.keyId);
        if (!packer) {
          packer = new Packer(
            req.key,
            req.keyId,
            req.level,
            req.stage,
            () => spare.pop() ?? new ArrayBuffer(PACK_CAPACITY),
          );
          packers.set(req.keyId, packer);
        }
        let added = { blobs: 0, rawBytes: 0, sealedBytes: 0 };
        try {
          if (req.batch) added = packer.add(req.batch);
          if (req.flush) packer.flush();
        } catch (e) {
          packer.abort(); // a half-written staged pack is removed; the run fails with the error
          throw e;
        }
        const packs = packer.take().map(toMessage);
        // spare pack buffers go back (they are never freed: see pipeline.ts)
        const r: PackedBatch = { in: req.batch?.buf ?? null, packs, spare: spare.splice(0), ...added };
        const transfer = [...packs.flatMap(transferOf), ...r.spare];
        if (r.in) transfer.push(r.in);
        port.postMessage({ seq: req.seq, ok: true, value: r }, transfer);
        collect(added.rawBytes);
        break;
      }
      case 'abort': {
        for (const p of packers.values()) p.abort();
        port.postMessage({ seq: req.seq, ok: true, value: null });
        break;
      }
      case 'verify': {
        port.postMessage({ seq: req.seq, ok: true, value: verifyPack(req.input) });
        collect(req.input.buf.byteLength);
        break;
      }
      case 'decodeWrite': {
        const n = decodeWrite(req.batch, req.keys, req.idKey, req.verifyId, req.places);
        port.postMessage({ seq: req.seq, ok: true, value: n });
        collect(n);
        break;
      }
      case 'decode': {
        const r = decodeBatch(req.batch, req.keys, req.idKey, req.verifyId);
        port.postMessage({ seq: req.seq, ok: true, value: r }, [r.buf]);
        collect(r.buf.byteLength);
        break;
      }
    }
  } catch (e) {
    const err = e as { message?: string; code?: string };
    port.postMessage({ seq: req.seq, ok: false, message: err.message ?? String(e), code: err.code });
  } finally {
    Atomics.add(done, init.index, 1);
  }
});
