import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressSink, formatBytes } from './progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: string } {
  const s = {
    isTTY,
    columns: 100,
    text: '',
    write(chunk: string) {
      s.text += chunk;
      return true;
    },
  };
  return s as unknown as NodeJS.WriteStream & { text: string };
}

describe('backup progress', () => {
  it('draws a bar with bytes, rate and ETA on a TTY', async () => {
    const prevCi = process.env.CI;
    delete process.env.CI;
    try {
      const s = fakeStream(true);
      const p = createProgressSink('backup run', s);
      await new Promise((r) => setTimeout(r, 120));
      p.update({ bytes: 50 * 1024 * 1024, totalBytes: 100 * 1024 * 1024, files: 10 });
      p.done();
      assert.match(s.text, /\[=+> *\]\s+50% 50\.0 MiB \/ 100\.0 MiB [\d.]+ [KMG]iB\/s ETA \d+s 10 files/);
      assert.ok(s.text.endsWith('\r\x1b[2K'), 'the line is cleared at the end');
    } finally {
      if (prevCi !== undefined) process.env.CI = prevCi;
    }
  });

  it('writes quiet JSON lines when not on a TTY (at most one per 10 s)', () => {
    const s = fakeStream(false);
    const p = createProgressSink('backup run', s);
    for (let i = 0; i < 100; i++) p.update({ bytes: i, totalBytes: null });
    p.done();
    assert.equal(s.text, '', 'nothing within the first 10 s');
  });

  it('formats sizes', () => {
    assert.deepEqual(
      [formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)],
      ['512 B', '1.5 KiB', '5.0 GiB'],
    );
  });
});
