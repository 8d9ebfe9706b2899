import type { AnyCheck, Finding } from './check.js';
import type { Severity, Status } from './severity.js';
import { maxSeverity, worstStatus } from './severity.js';
import type { CmsName } from './target.js';

/** One result as it appears in every report (SPEC §5). */
export interface Result {
  check: string;
  id?: string;
  status: Status;
  severity: Severity;
  title: string;
  message: string;
  evidence?: Record<string, unknown>;
  remediation?: string;
  references?: string[];
}

export interface Summary {
  pass: number;
  fail: number;
  skip: number;
  error: number;
  /** Highest severity among `fail` results, or null when nothing failed. */
  worst: Severity | null;
}

export interface Report {
  tool: { name: 'civiguard'; version: string };
  target: { url: string; root: string | null; cms: CmsName };
  startedAt: string;
  durationMs: number;
  results: Result[];
  summary: Summary;
}

export function findingToResult(check: AnyCheck, f: Finding): Result {
  const spec = f.outcome ? check.outcomes?.[f.outcome] : undefined;
  if (f.outcome && !spec) throw new Error(`check ${check.id} returned unknown outcome '${f.outcome}'`);
  const r: Result = {
    check: check.id,
    status: f.status,
    severity: f.severity ?? spec?.severity ?? check.severity,
    title: spec?.title ?? check.title,
    message: f.message,
  };
  if (f.outcome) r.id = `${check.id}.${f.outcome}`;
  if (f.evidence && Object.keys(f.evidence).length) r.evidence = f.evidence;
  if (f.status === 'fail' || f.status === 'error') r.remediation = spec?.remediation ?? check.remediation;
  if (check.references?.length) r.references = check.references;
  return r;
}

export function summarize(results: readonly Result[]): Summary {
  const s: Summary = { pass: 0, fail: 0, skip: 0, error: 0, worst: null };
  for (const r of results) s[r.status]++;
  s.worst = maxSeverity(results.filter((r) => r.status === 'fail').map((r) => r.severity));
  return s;
}

/** Status of a whole check from its results: fail > error > pass > skip (SPEC §2). */
export function checkStatus(results: readonly Result[]): Status {
  return worstStatus(results.map((r) => r.status));
}
