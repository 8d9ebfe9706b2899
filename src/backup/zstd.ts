/**
 * zstd with a size cap on decompression: a repository may be hostile, and zstd-napi's `decompress`
 * allocates whatever a frame header claims. Only single frames that declare their size are accepted
 * (civiguard always writes those).
 *
 * zstd-napi is a native addon, loaded on first use: an audit (which reads only the backup catalogue) and
 * every other command work without it, and a missing build gives one actionable line instead of a crash
 * at start-up (npm 11 runs a dependency's build script only once it is approved).
 */
import { createRequire } from 'node:module';
import type * as ZstdNapi from 'zstd-napi';
import type { Compressor } from 'zstd-napi';
import { CiviguardError } from '../core/errors.js';

type ZstdModule = typeof ZstdNapi;
/** The low-level binding: frame inspection, and contexts that compress into caller-provided buffers. */
export type ZstdBinding = {
  getFrameContentSize(buf: Uint8Array): number | null;
  findFrameCompressedSize(buf: Uint8Array): number;
  compressBound(size: number): number;
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number };
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number };
};

const require = createRequire(import.meta.url);
let loaded: { zstd: ZstdModule; binding: ZstdBinding } | null = null;

function zstd(): { zstd: ZstdModule; binding: ZstdBinding } {
  if (loaded) return loaded;
  try {
    loaded = {
      zstd: require('zstd-napi') as ZstdModule,
      binding: require('zstd-napi/binding.js') as ZstdBinding,
    };
  } catch {
    throw new CiviguardError(
      'E_BACKUP',
      "zstd-napi's native module is not built: run `npm rebuild zstd-napi` where civiguard is installed (npm 11: approve its install script first with `npm install-scripts approve zstd-napi`)",
    );
  }
  return loaded;
}

/** The binding (loaded on first use, like the rest of zstd-napi). */
export function zstdBinding(): ZstdBinding {
  return zstd().binding;
}

export class ZstdError extends Error {}

export function boundedDecompress(buf: Uint8Array, maxBytes: number): Buffer {
  const { zstd: z, binding } = zstd();
  let size: number | null;
  try {
    size = binding.getFrameContentSize(buf);
    if (binding.findFrameCompressedSize(buf) !== buf.length)
      throw new ZstdError('trailing data after the zstd frame');
  } catch (e) {
    if (e instanceof ZstdError) throw e;
    throw new ZstdError('not a zstd frame');
  }
  if (size === null) throw new ZstdError('zstd frame does not declare its size');
  if (size > maxBytes) throw new ZstdError(`zstd frame would decompress to ${size} bytes (cap ${maxBytes})`);
  try {
    return z.decompress(buf);
  } catch {
    throw new ZstdError('zstd data is damaged');
  }
}

/** One-shot compression (metadata, the files cache). */
export function zstdCompress(buf: Uint8Array, compressionLevel: number): Buffer {
  return zstd().zstd.compress(buf, { compressionLevel });
}

/** A compressor at a fixed level (one per thread: a Compressor is not reentrant). */
export function makeCompressor(level: number): Compressor {
  const c = new (zstd().zstd.Compressor)();
  c.setParameters({ compressionLevel: level });
  return c;
}
