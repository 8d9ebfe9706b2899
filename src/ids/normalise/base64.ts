/**
 * Base64 runs: a run of at least MIN_RUN base64 characters that decodes to printable text carrying markup or
 * code punctuation is returned for inspection (e.g. `PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==`). Random tokens
 * and binary decode to unprintable bytes and are ignored. At most MAX_RUNS runs of at most MAX_RUN_CHARS each.
 */
const MAX_RUNS = 3;
const MAX_RUN_CHARS = 64 * 1024;

const INTERESTING = /[<>'"();|&`$/\\%]/;

// a run starts where the previous character is not a base64 one (linear: no re-scan from inside a run)
const RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}/g;

export function base64Runs(s: string): string[] {
  const found: string[] = [];
  if (s.length < 16) return found;
  RUN.lastIndex = 0;
  let m: RegExpExecArray | null;
  let tried = 0;
  while ((m = RUN.exec(s)) !== null && found.length < MAX_RUNS && tried < MAX_RUNS * 4) {
    const run = m[0];
    if (run.length > MAX_RUN_CHARS || !/[A-Z]/.test(run) || !/[a-z]/.test(run)) continue;
    tried++;
    const buf = Buffer.from(
      run.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/')),
      'base64',
    );
    if (buf.length < 8) continue;
    let printable = 0;
    for (const b of buf) if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13) printable++;
    if (printable < buf.length * 0.97) continue;
    const text = buf.toString('latin1');
    if (INTERESTING.test(text)) found.push(text);
  }
  return found;
}
