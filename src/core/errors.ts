/**
 * Errors with stable codes. A CiviguardError is a user-facing problem (bad flag, unreadable config,
 * unreachable target): the CLI prints its one-line message and exits with `exitCode` (2 by default),
 * without a stack trace. Anything else that escapes is an internal bug and is printed with its stack.
 */
export type ErrorCode =
  | 'E_USAGE'
  | 'E_CONFIG'
  | 'E_CONFIG_SCHEMA'
  | 'E_TARGET'
  | 'E_IO'
  | 'E_TIMEOUT'
  | 'E_ABORTED'
  | 'E_NETWORK'
  | 'E_TLS'
  | 'E_HTTP'
  | 'E_PARSE'
  | 'E_TOO_LARGE'
  | 'E_DB'
  | 'E_BACKUP'
  | 'E_BACKUP_CORRUPT'
  | 'E_BACKUP_KEY'
  | 'E_BACKUP_LOCKED'
  | 'E_BACKUP_VERSION'
  | 'E_IDS'
  | 'E_INTERNAL';

export class CiviguardError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CiviguardError';
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
  }
}

export function isCiviguardError(e: unknown): e is CiviguardError {
  return e instanceof CiviguardError;
}

/** A short, single-line description of any thrown value (for `error` results and logs). */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const msg = e.message.split('\n')[0] ?? '';
    if (typeof code === 'string' && !msg.includes(code) && !(e instanceof CiviguardError))
      return `${msg} (${code})`;
    return msg;
  }
  return String(e).split('\n')[0] ?? '';
}
