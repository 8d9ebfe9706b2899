import type { ProgressEvent } from '../core/runner.js';

/** A one-line progress display on stderr for a TTY; silent otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): {
  onProgress: (e: ProgressEvent) => void;
  done: () => void;
} {
  if (!stream.isTTY || process.env.CI) return { onProgress: () => undefined, done: () => undefined };
  const running = new Set<string>();
  let checks = '';
  let last = 0;
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 80) return;
    last = now;
    const what = [...running].slice(0, 3).join(', ');
    const line = `${checks} ${what ? 'probing: ' + what : ''}`.slice(0, (stream.columns || 80) - 1);
    stream.write(`\r\x1b[2K${line}`);
  };
  return {
    onProgress(e) {
      if (e.type === 'probe-start') running.add(e.probe);
      else if (e.type === 'probe-end') running.delete(e.probe);
      else if (e.type === 'check-done') checks = `[${e.done}/${e.total}]`;
      draw();
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}
