import type { AuditTarget } from './target.js';

/**
 * A probe gathers one fact about the target (a TLS handshake, a set of HTTP responses, the site layout).
 * It never judges. The runner runs each probe at most once per target, however many checks use it,
 * with a time budget and an abort signal.
 */
export interface Probe<T> {
  readonly name: string;
  /** Time budget; defaults to the target's `timeoutMs`. Probes that make many requests set more. */
  readonly timeoutMs?: number | ((target: AuditTarget) => number);
  run(ctx: ProbeContext): Promise<T>;
  /** Releases what `run` opened (sockets, canary files); called once when the audit ends, even on abort. */
  dispose?(value: T): Promise<void> | void;
}

export interface ProbeContext {
  readonly target: AuditTarget;
  /** Aborted on timeout or cancellation: pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** The fact of another probe (run once, shared). Throws when that probe was unavailable. */
  get<T>(probe: Probe<T>): Promise<T>;
  /** The outcome of another probe, without throwing. */
  outcome<T>(probe: Probe<T>): Promise<ProbeOutcome<T>>;
  /** Progress note for the TTY display. */
  note(message: string): void;
}

export type ProbeOutcome<T> =
  | { ok: true; value: T; durationMs: number }
  | { ok: false; status: 'skip' | 'error'; reason: string; durationMs: number };

/**
 * Thrown by a probe that cannot gather its fact. `skip`: not applicable or not enough access
 * (no --root, no --ssh); `error`: it tried and the target misbehaved. Checks that need the fact
 * report the same status with the reason.
 */
export class FactUnavailable extends Error {
  readonly status: 'skip' | 'error';
  constructor(status: 'skip' | 'error', reason: string) {
    super(reason);
    this.name = 'FactUnavailable';
    this.status = status;
  }
}

export function defineProbe<T>(probe: Probe<T>): Probe<T> {
  return probe;
}
