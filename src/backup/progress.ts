/**
 * Progress for long backup commands: on a TTY a one-line bar with bytes, rate and ETA (stderr);
 * otherwise quiet JSON lines on stderr, at most one every 10 s, so logs from a timer stay short.
 */
export interface ProgressSink {
  update(p: {
    bytes: number;
    totalBytes: number | null;
    files?: number;
    newBytes?: number;
    label?: string;
  }): void;
  done(): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function createProgressSink(
  command: string,
  stream: NodeJS.WriteStream = process.stderr,
  opts: { quiet?: boolean } = {},
): ProgressSink {
  const t0 = performance.now();
  if (opts.quiet) return { update: () => undefined, done: () => undefined };
  if (stream.isTTY && !process.env.CI) {
    let last = 0;
    let drawn = false;
    return {
      update(p) {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        const secs = (now - t0) / 1000;
        const rate = secs > 0 ? p.bytes / secs : 0;
        const width = Math.max(10, Math.min(30, (stream.columns || 80) - 60));
        let bar = '';
        let eta = '';
        if (p.totalBytes && p.totalBytes > 0) {
          const frac = Math.min(1, p.bytes / p.totalBytes);
          const full = Math.round(frac * width);
          bar = `[${'='.repeat(Math.max(0, full - 1))}${full ? '>' : ''}${' '.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
          eta = ` ETA ${formatDuration(rate > 0 ? (p.totalBytes - p.bytes) / rate : Infinity)}`;
        }
        const files = p.files !== undefined ? ` ${p.files} files` : '';
        const line = `${bar}${formatBytes(p.bytes)}${p.totalBytes ? ` / ${formatBytes(p.totalBytes)}` : ''} ${formatBytes(rate)}/s${eta}${files}${p.label ? ` ${p.label}` : ''}`;
        stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 80) - 1)}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\r\x1b[2K');
      },
    };
  }
  let last = performance.now();
  return {
    update(p) {
      const now = performance.now();
      if (now - last < 10_000) return;
      last = now;
      const secs = (now - t0) / 1000;
      stream.write(
        JSON.stringify({
          event: 'progress',
          command,
          bytes: p.bytes,
          totalBytes: p.totalBytes,
          files: p.files,
          newBytes: p.newBytes,
          rate: Math.round(p.bytes / Math.max(secs, 0.001)),
          elapsedMs: Math.round(now - t0),
        }) + '\n',
      );
    },
    done() {},
  };
}
