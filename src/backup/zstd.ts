/**
 * zstd with a size cap on decompression: a repository may be hostile, and zstd-napi's `decompress`
 * allocates whatever a frame header claims. Only single frames that declare their size are accepted
 * (civiguard always writes those).
 */
import binding from 'zstd-napi/binding.js';
import { Compressor, decompress } from 'zstd-napi';

export class ZstdError extends Error {}

export function boundedDecompress(buf: Uint8Array, maxBytes: number): Buffer {
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
    return decompress(buf);
  } catch {
    throw new ZstdError('zstd data is damaged');
  }
}

/** A compressor at a fixed level (one per thread: a Compressor is not reentrant). */
export function makeCompressor(level: number): Compressor {
  const c = new Compressor();
  c.setParameters({ compressionLevel: level });
  return c;
}
