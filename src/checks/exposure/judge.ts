/**
 * Judgement helpers shared by the exposure.* checks: what an item answered, in words and as evidence
 * (never its content), whether it served its own content (soft-404 guard), and the error result for
 * requests that got no answer.
 */
import type { Finding } from '../../core/check.js';
import type { ExposureFacts, ProbedItem } from '../../probes/exposure/index.js';
import { sameAsBaseline, servedOwnContent } from '../../probes/exposure/soft404.js';

/** 2xx with content of its own (not the page a random name gets). */
export function served(item: ProbedItem): boolean {
  return servedOwnContent(item.path, item.answer, item.baseline);
}

/** A listing page was served for the directory (and it is not what a random name gets). */
export function listed(item: ProbedItem): boolean {
  return !!item.listing && !!item.answer && !sameAsBaseline(item.path, item.answer, item.baseline);
}

/**
 * The URL answered as if something is there: not 404/410, not a redirect away, and not the same answer
 * as a random name gets (a deny-everything rule answers 403 to both).
 */
export function present(item: ProbedItem): boolean {
  const a = item.answer;
  if (!a || a.status === 404 || a.status === 410 || (a.status >= 300 && a.status < 400)) return false;
  return !sameAsBaseline(item.path, a, item.baseline);
}

/** A script that runs: 2xx/5xx where a random name of the same suffix gets 403/404/410. */
export function scriptRuns(item: ProbedItem): boolean {
  const a = item.answer;
  const b = item.baseline;
  if (!a || !b) return false;
  const runs = (a.status >= 200 && a.status < 300) || a.status >= 500;
  return runs && [403, 404, 410].includes(b.status) && b.status !== a.status;
}

/** `403`, `200 (same page as a random name)`, `no answer (timeout …)`. */
export function answered(item: ProbedItem): string {
  const a = item.answer;
  if (!a) return `no answer (${item.error ?? 'not requested'})`;
  if (a.status >= 300 && a.status < 400) return `${a.status} → ${a.location ?? '?'}`;
  if (a.status >= 200 && a.status < 300 && sameAsBaseline(item.path, a, item.baseline))
    return `${a.status} (the page a random name gets)`;
  if (a.status >= 200 && a.status < 300 && a.body.length === 0) return `${a.status} (empty)`;
  return String(a.status);
}

/** What is safe to show about an item: where, what status, how big; never its content. */
export function evidenceOf(item: ProbedItem): Record<string, unknown> {
  const a = item.answer;
  const e: Record<string, unknown> = { url: item.url, answered: answered(item) };
  if (a?.contentType) e.contentType = a.contentType.slice(0, 100);
  if (a && a.status >= 200 && a.status < 300) e.bytes = a.size ?? a.body.length;
  if (item.listing) e.listing = { server: item.listing.server, entries: item.listing.total };
  return e;
}

/** An `error` finding for the items that got no answer, or null when all answered. */
export function unansweredFinding(items: ProbedItem[], what: string, facts: ExposureFacts): Finding | null {
  const missing = items.filter((i) => !i.answer);
  if (missing.length === 0) return null;
  const first = missing
    .slice(0, 3)
    .map((i) => `${i.url}: ${i.error ?? 'no answer'}`)
    .join('; ');
  return {
    status: 'error',
    message: `${missing.length} of ${items.length} requests for ${what} got no answer, so those were not seen: ${first}${facts.stopped ? ` (probing stopped: ${facts.stopped})` : ''}`,
    evidence: { unanswered: missing.slice(0, 10).map((i) => ({ url: i.url, error: i.error })) },
  };
}

/** `a, b and 3 more`. */
export function listOf(items: string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** `1 entry`, `3 entries`. */
export function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
