import type { AnyCheck, Finding } from './check.js';
import { CiviguardError, describeError } from './errors.js';
import type { Probe, ProbeContext, ProbeOutcome } from './probe.js';
import { FactUnavailable } from './probe.js';
import type { Result } from './result.js';
import { findingToResult } from './result.js';
import type { AuditTarget } from './target.js';

export type ProgressEvent =
  | { type: 'probe-start'; probe: string }
  | { type: 'probe-end'; probe: string; ok: boolean; durationMs: number }
  | { type: 'probe-note'; probe: string; message: string }
  | { type: 'check-done'; check: string; done: number; total: number };

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface RunOutput {
  results: Result[];
  /** The outcome of a probe if it ran during this audit. */
  fact<T>(probe: Probe<T>): ProbeOutcome<T> | undefined;
}

/** Races a promise against an abort signal so that a probe ignoring its signal still cannot hang the audit. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Runs checks against one target. Each probe runs at most once (memoised by identity), all probes that
 * the selected checks need start concurrently, each with its own time budget, and everything stops on
 * the run's abort signal. Checks are pure and run as soon as their facts are in.
 */
export async function runChecks(
  target: AuditTarget,
  checks: readonly AnyCheck[],
  opts: RunOptions = {},
): Promise<RunOutput> {
  const runSignal = opts.signal ?? new AbortController().signal;
  const emit = opts.onProgress ?? (() => undefined);
  const memo = new Map<Probe<unknown>, Promise<ProbeOutcome<unknown>>>();
  const settled = new Map<Probe<unknown>, ProbeOutcome<unknown>>();

  const outcomeOf = <T>(probe: Probe<T>, chain: readonly Probe<unknown>[]): Promise<ProbeOutcome<T>> => {
    if (chain.includes(probe)) {
      throw new Error(`probe cycle: ${[...chain, probe].map((p) => p.name).join(' → ')}`);
    }
    let p = memo.get(probe);
    if (!p) {
      p = startProbe(probe, [...chain, probe]);
      memo.set(probe, p);
    }
    return p as Promise<ProbeOutcome<T>>;
  };

  const startProbe = async <T>(
    probe: Probe<T>,
    chain: readonly Probe<unknown>[],
  ): Promise<ProbeOutcome<T>> => {
    const t0 = performance.now();
    const budget =
      typeof probe.timeoutMs === 'function' ? probe.timeoutMs(target) : (probe.timeoutMs ?? target.timeoutMs);
    const timeout = new AbortController();
    const timer = setTimeout(
      () =>
        timeout.abort(
          new CiviguardError(
            'E_TIMEOUT',
            `${probe.name} gave no answer within ${Math.round(budget / 1000)} s`,
          ),
        ),
      budget,
    );
    const signal = AbortSignal.any([runSignal, timeout.signal]);
    const ctx: ProbeContext = {
      target,
      signal,
      get: async (other) => {
        const o = await outcomeOf(other, chain);
        if (o.ok) return o.value;
        throw new FactUnavailable(o.status, o.reason);
      },
      outcome: (other) => outcomeOf(other, chain),
      note: (message) => emit({ type: 'probe-note', probe: probe.name, message }),
    };
    emit({ type: 'probe-start', probe: probe.name });
    let out: ProbeOutcome<T>;
    try {
      const value = await raceAbort(probe.run(ctx), signal);
      out = { ok: true, value, durationMs: performance.now() - t0 };
    } catch (e) {
      const durationMs = performance.now() - t0;
      if (e instanceof FactUnavailable) out = { ok: false, status: e.status, reason: e.message, durationMs };
      else if (timeout.signal.aborted && !runSignal.aborted)
        out = { ok: false, status: 'error', reason: describeError(timeout.signal.reason), durationMs };
      else if (runSignal.aborted) out = { ok: false, status: 'error', reason: 'audit cancelled', durationMs };
      else out = { ok: false, status: 'error', reason: describeError(e), durationMs };
    } finally {
      clearTimeout(timer);
    }
    settled.set(probe as Probe<unknown>, out as ProbeOutcome<unknown>);
    emit({ type: 'probe-end', probe: probe.name, ok: out.ok, durationMs: out.durationMs });
    return out;
  };

  let done = 0;
  const perCheckP = Promise.all(
    checks.map(async (check): Promise<Result[]> => {
      const entries = Object.entries(check.probes);
      const optEntries = Object.entries(check.optional ?? {});
      const [outs, optOuts] = await Promise.all([
        Promise.all(entries.map(([, p]) => outcomeOf(p, []))),
        Promise.all(optEntries.map(([, p]) => outcomeOf(p, []))),
      ]);
      let results: Result[];
      const missing = outs.find((o): o is Extract<ProbeOutcome<unknown>, { ok: false }> => !o.ok);
      if (missing) {
        results = [
          findingToResult(check, { status: missing.status, message: missing.reason } satisfies Finding),
        ];
      } else {
        const facts = Object.fromEntries(entries.map(([k], i) => [k, (outs[i] as { value: unknown }).value]));
        const optional = Object.fromEntries(optEntries.map(([k], i) => [k, optOuts[i]]));
        try {
          const findings = check.run(facts as never, { target, optional: optional as never });
          if (findings.length === 0) throw new Error(`check ${check.id} returned no results`);
          results = findings.map((f) => findingToResult(check, f));
        } catch (e) {
          results = [
            findingToResult(check, { status: 'error', message: `check failed: ${describeError(e)}` }),
          ];
        }
      }
      emit({ type: 'check-done', check: check.id, done: ++done, total: checks.length });
      return results;
    }),
  );
  let perCheck: Result[][];
  try {
    perCheck = await perCheckP;
  } finally {
    // Every probe that was started is disposed, whatever happened (cancellation included).
    await Promise.allSettled(
      [...memo.entries()].map(async ([probe, p]) => {
        const o = await p;
        if (o.ok && probe.dispose) await probe.dispose(o.value);
      }),
    );
  }
  return {
    results: perCheck.flat(),
    fact: <T>(probe: Probe<T>) => settled.get(probe as Probe<unknown>) as ProbeOutcome<T> | undefined,
  };
}
