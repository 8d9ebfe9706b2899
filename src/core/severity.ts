/** Severity levels, PSR-3 names as CiviCRM's status checks use them (SPEC §2), lowest first. */
export const SEVERITIES = ['info', 'notice', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Result statuses (SPEC §2). */
export const STATUSES = ['pass', 'fail', 'skip', 'error'] as const;
export type Status = (typeof STATUSES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** Order used to fold many results into one status: fail > error > pass > skip. */
const STATUS_RANK: Record<Status, number> = { skip: 0, pass: 1, error: 2, fail: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'skip';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

export function statusRank(s: Status): number {
  return STATUS_RANK[s];
}

export function maxSeverity(items: Iterable<Severity>): Severity | null {
  let worst: Severity | null = null;
  for (const s of items) if (worst === null || severityRank(s) > severityRank(worst)) worst = s;
  return worst;
}
