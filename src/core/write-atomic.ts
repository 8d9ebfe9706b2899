import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { CiviguardError, describeError } from './errors.js';

/** Writes a file via temp + rename, so a reader never sees half a report. */
export function writeAtomic(file: string, text: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CiviguardError('E_IO', `cannot write ${file}: ${describeError(e)}`);
  }
}
