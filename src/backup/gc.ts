/**
 * Explicit young-generation collections for the backup threads. They allocate few JS objects but move
 * a lot of bytes through short-lived buffers (cipher output, transferred batches); V8 frees those only
 * when the JS heap asks for a collection, which on these small heaps comes after tens of MB. A minor GC
 * every few MB keeps memory flat (measured: ~35 MB less peak RSS in `run`), at well under a millisecond
 * per collection. Without the flag (if V8 refuses it) this is a no-op.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (o?: { type: 'minor' | 'major' }) => void;
let gc: Gc | null | undefined;

function load(): Gc | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    gc = (runInNewContext('gc') as Gc | undefined) ?? null;
  } catch {
    gc = null;
  }
  return gc;
}

/**
 * Counts bytes; every `everyBytes` runs a collection: minor where buffers die young (the write path),
 * major where they live across awaits and get promoted (restore, check).
 */
export function gcEvery(everyBytes: number, type: 'minor' | 'major' = 'minor'): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    load()?.({ type });
  };
}

/** A full collection now (if V8 allows it): frees big buffers whose last reference just went. */
export function collectNow(): void {
  load()?.({ type: 'major' });
}

let youngKeptSmall = false;

/**
 * Stops the young generation of this thread from growing past its initial size. The backup's calling
 * thread keeps tens of MB of long-lived small objects (index, files cache, tree) that are born young,
 * and V8 answers their survival by doubling the semi-spaces up to 16 MB each: about 25 MB of RSS that
 * buys nothing here (measured on the bench's first backup: peak RSS −25 MB, no loss of speed).
 * `--max-semi-space-size` cannot change once the heap exists; the growth factor is read at each growth.
 */
/** True once keepYoungGenerationSmall() ran in this thread (workers then repeat it). */
export function youngGenerationKeptSmall(): boolean {
  return youngKeptSmall;
}

export function keepYoungGenerationSmall(): void {
  if (youngKeptSmall) return;
  youngKeptSmall = true;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // an engine without the flag just keeps its default
  }
}
