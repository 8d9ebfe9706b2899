import type { AnyCheck, Finding } from '../core/check.js';
import type { ProbeOutcome } from '../core/probe.js';
import type { Result } from '../core/result.js';
import { findingToResult } from '../core/result.js';
import type { AuditTarget } from '../core/target.js';
import { buildTarget } from '../audit/build-target.js';
import type { HttpResponse } from '../probes/net/http-fetch.js';

export function testTarget(overrides: Partial<AuditTarget> = {}): AuditTarget {
  return { ...buildTarget({ url: 'https://example.org/' }), ...overrides };
}

/** A response fact for check unit tests. */
export function response(partial: Partial<HttpResponse> & { body?: Buffer | string } = {}): HttpResponse {
  const body = partial.body === undefined ? Buffer.alloc(0) : Buffer.from(partial.body);
  return {
    url: 'https://example.org/',
    status: 200,
    headers: {},
    setCookies: [],
    truncated: false,
    durationMs: 1,
    ...partial,
    body,
  };
}

export function ok<T>(value: T): ProbeOutcome<T> {
  return { ok: true, value, durationMs: 1 };
}

/** Runs a check's pure judgement on given facts and returns the results as a report would show them. */
export function judge(
  check: AnyCheck,
  facts: Record<string, unknown>,
  optional: Record<string, ProbeOutcome<unknown>> = {},
  target: AuditTarget = testTarget(),
): Result[] {
  const findings: Finding[] = check.run(facts as never, { target, optional: optional as never });
  return findings.map((f) => findingToResult(check, f));
}

/** The single overall status of a check's results (fail > error > pass > skip). */
export function statuses(results: Result[]): string[] {
  return results.map((r) => `${r.id ?? r.check}:${r.status}`);
}
