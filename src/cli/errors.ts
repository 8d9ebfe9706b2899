import { CommanderError } from 'commander';
import { CiviguardError } from '../core/errors.js';
import { redactString } from '../core/redact.js';

/** Prints a user error as one line (exit 2 or its own code); an internal bug with its stack. */
export function handleCliError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  if (e instanceof CiviguardError) {
    process.stderr.write(`civiguard: ${redactString(e.message)} [${e.code}]\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(
    `civiguard: internal error (please report): ${redactString(err.stack ?? err.message)}\n`,
  );
  return 2;
}

/** Colour on only for a TTY without NO_COLOR / CI (citty's rule). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && !process.env.CI && process.env.TERM !== 'dumb';
}
