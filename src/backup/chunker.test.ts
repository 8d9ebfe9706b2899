import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Cutter, DATA_CHUNKS, StreamChunker, TREE_CHUNKS } from './chunker.js';

function chunk(data: Buffer, cutter: Cutter, block: number): Buffer[] {
  const c = new StreamChunker(cutter);
  const out: Buffer[] = [];
  const keep = (v: Buffer) => out.push(Buffer.from(v));
  for (let i = 0; i < data.length; i += block) c.push(data.subarray(i, i + block), keep);
  c.finish(keep);
  return out;
}

describe('content-defined chunking', () => {
  const cutter = new Cutter({ ...DATA_CHUNKS, gearSeed: 'aa'.repeat(32) });
  const data = randomBytes(24 * 1024 * 1024);
  const chunks = chunk(data, cutter, 1024 * 1024);

  it('chunks concatenate back to the input, within min/max, averaging near 1 MiB', () => {
    assert.ok(Buffer.concat(chunks).equals(data));
    for (const c of chunks.slice(0, -1))
      assert.ok(c.length >= DATA_CHUNKS.min && c.length <= DATA_CHUNKS.max, `chunk of ${c.length}`);
    const avg = data.length / chunks.length;
    assert.ok(avg > 0.7 * DATA_CHUNKS.avg && avg < 1.6 * DATA_CHUNKS.avg, `average ${avg}`);
  });

  it('does not depend on how the input is split into blocks', () => {
    const other = chunk(data, cutter, 777_777);
    assert.deepEqual(
      other.map((c) => c.length),
      chunks.map((c) => c.length),
    );
  });

  it('re-finds the same boundaries after an insertion near the start (shift resistance)', () => {
    const shifted = Buffer.concat([data.subarray(0, 100_000), randomBytes(1000), data.subarray(100_000)]);
    const again = new Set(chunk(shifted, cutter, 1 << 20).map((c) => c.toString('base64', 0, 64) + c.length));
    const same = chunks.filter((c) => again.has(c.toString('base64', 0, 64) + c.length)).length;
    assert.ok(same >= chunks.length - 2, `${same} of ${chunks.length} chunks unchanged`);
  });

  it('depends on the repository seed', () => {
    const other = chunk(data, new Cutter({ ...DATA_CHUNKS, gearSeed: 'bb'.repeat(32) }), 1 << 20);
    assert.notDeepEqual(
      other.map((c) => c.length),
      chunks.map((c) => c.length),
    );
  });

  it('emits views into one reused buffer (no allocation per chunk)', () => {
    const c = new StreamChunker(new Cutter({ ...TREE_CHUNKS, gearSeed: '00' }));
    const backing = new Set<ArrayBufferLike>();
    const emit = (v: Buffer) => backing.add(v.buffer);
    c.push(randomBytes(1_000_000), emit);
    c.finish(emit);
    assert.equal(backing.size, 1);
  });

  it('rejects nonsense sizes', () => {
    assert.throws(() => new Cutter({ min: 10, avg: 5, max: 20, gearSeed: '' }));
  });
});
