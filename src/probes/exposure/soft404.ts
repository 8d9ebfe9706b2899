/**
 * Soft-404 guard. Many sites answer 200 to any path (a CMS front controller, a catch-all SPA route, a
 * parking page). An answer counts as "this file is there" only when it differs from the answer to a
 * random nonexistent name beside it: a different status, or a body that is not the same page with the
 * requested name echoed into it.
 */
import type { Answer, Baseline } from './types.js';

const COMPARE_BYTES = 64 * 1024;

/** An HTML document (CMS page, error page), which no settings file, dump, log or VCS file is. */
export function isHtmlPage(b: Buffer): boolean {
  const head = b.toString('latin1', 0, Math.min(b.length, 1024)).replace(/^\uFEFF|^ï»¿/, '');
  return /^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<!--)/i.test(head);
}

function normalise(body: Buffer, names: string[]): string {
  let s = body.toString('latin1', 0, Math.min(body.length, COMPARE_BYTES));
  for (const n of names) if (n.length >= 3) s = s.split(n).join('');
  return s.replace(/\d+/g, '0').replace(/\s+/g, ' ').trim();
}

function tokens(s: string): Set<string> {
  return new Set(s.split(/[^A-Za-z0-9_]+/).filter((t) => t.length > 1));
}

/** The names an answer may echo: the path, its last segment, and their URL-encoded forms. */
function echoes(path: string): string[] {
  const last = path.replace(/\/$/, '').split('/').pop() ?? '';
  return [...new Set([path, `/${path}`, encodeURI(path), last, encodeURIComponent(last)])].sort(
    (a, b) => b.length - a.length,
  );
}

/**
 * True when `answer` (to `path`) is the same page the site gives for a random nonexistent name.
 * No baseline (not fetched or its request failed): false, so callers must judge by content alone.
 */
export function sameAsBaseline(path: string, answer: Answer, baseline: Baseline | null): boolean {
  if (!baseline) return false;
  if (answer.status !== baseline.status) return false;
  const names = [...echoes(path), ...echoes(baseline.path)].sort((a, b) => b.length - a.length);
  const a = normalise(answer.body, names);
  const b = normalise(baseline.body, names);
  if (a === b) return true;
  const longer = Math.max(a.length, b.length);
  if (longer === 0) return true;
  if (Math.min(a.length, b.length) / longer < 0.8) return false;
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size === 0 && tb.size === 0) return a.length === b.length;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  const jaccard = common / (ta.size + tb.size - common);
  return jaccard >= 0.9;
}

/** The item answered with something of its own: 2xx and not the site's soft-404 page. */
export function servedOwnContent(path: string, answer: Answer | null, baseline: Baseline | null): boolean {
  if (!answer || answer.status < 200 || answer.status > 299) return false;
  return !sameAsBaseline(path, answer, baseline);
}
