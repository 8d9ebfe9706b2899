/** Worker thread entry: runs codec.ts functions on request from worker/pool.ts. */
import { parentPort } from 'node:worker_threads';
import { gcEvery } from '../gc.js';
import type { PlainBatch, SealedItems, VerifyPackInput } from './codec.js';
import { decodeBatch, encodeBatch, verifyPack } from './codec.js';

export type WorkerRequest =
  | { seq: number; op: 'encode'; batch: PlainBatch; out: ArrayBuffer; key: Uint8Array; level: number }
  | { seq: number; op: 'verify'; input: VerifyPackInput }
  | {
      seq: number;
      op: 'decode';
      batch: SealedItems;
      keys: Record<string, Uint8Array>;
      idKey: Uint8Array;
      verifyId: boolean;
    };

const port = parentPort!;

/** The cipher's output buffers are garbage as soon as they are copied: collect them every 4 MB. */
const collect = gcEvery(4 * 1024 * 1024);

port.on('message', (req: WorkerRequest) => {
  try {
    switch (req.op) {
      case 'encode': {
        const r = encodeBatch(req.batch, req.out, req.key, req.level);
        port.postMessage({ seq: req.seq, ok: true, value: r }, [r.in, r.buf]);
        collect(r.rawBytes);
        break;
      }
      case 'verify': {
        port.postMessage({ seq: req.seq, ok: true, value: verifyPack(req.input) });
        collect(req.input.buf.byteLength);
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
  }
});
