import type { Result } from '../core/result.js';
import { severityRank, statusRank } from '../core/severity.js';

/** The area of a result (`tls` for `tls.protocols`). */
export function areaOf(r: Pick<Result, 'check'>): string {
  return r.check.split('.')[0]!;
}

/** How bad a result is, for sorting: fail (by severity) > error > pass > skip. */
export function resultWeight(r: Result): number {
  return statusRank(r.status) * 10 + (r.status === 'fail' ? severityRank(r.severity) : 0);
}

/** Results grouped by area, the worst area first, and inside it the worst results first. */
export function orderResults(results: readonly Result[]): Map<string, Result[]> {
  const byArea = new Map<string, Result[]>();
  for (const r of results) {
    const area = areaOf(r);
    const list = byArea.get(area);
    if (list) list.push(r);
    else byArea.set(area, [r]);
  }
  for (const list of byArea.values())
    list.sort((a, b) => resultWeight(b) - resultWeight(a) || a.check.localeCompare(b.check));
  // Areas with equal weight keep the order they came in (the audit's area order).
  return new Map([...byArea.entries()].sort((a, b) => resultWeight(b[1][0]!) - resultWeight(a[1][0]!)));
}
