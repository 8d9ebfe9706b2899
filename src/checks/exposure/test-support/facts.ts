/** Builders of exposure facts for the checks' table tests. */
import type { ProbeOutcome } from '../../../core/probe.js';
import { parseListing } from '../../../probes/exposure/listing.js';
import type {
  Answer,
  Baseline,
  DirRole,
  ExposureFacts,
  ItemGroup,
  ProbedItem,
} from '../../../probes/exposure/types.js';
import type { CanaryFacts, DirCanary, LogFetch } from '../../../probes/local/canary.js';

export const BASE = 'https://example.org/';

export function answer(status: number, body: string | Buffer = '', extra: Partial<Answer> = {}): Answer {
  return {
    status,
    contentType: null,
    size: null,
    location: null,
    body: Buffer.from(body),
    truncated: false,
    ...extra,
  };
}

export interface ItemSpec {
  status?: number;
  body?: string | Buffer;
  role?: DirRole;
  root?: string;
  tag?: string;
  /** Answer to a random name beside it: `[status, body]`. */
  baseline?: [number, string] | null;
  /** The request failed with this reason. */
  error?: string;
}

export function item(path: string, group: ItemGroup, spec: ItemSpec = {}): ProbedItem {
  const url = new URL(path, BASE);
  const a = spec.error ? null : answer(spec.status ?? 404, spec.body ?? '');
  const baseline: Baseline | null = spec.baseline
    ? { ...answer(spec.baseline[0], spec.baseline[1]), path: path.replace(/[^/]+\/?$/, 'civiguard-0a1b2c') }
    : null;
  const it: ProbedItem = {
    path,
    group,
    layout: 'drupal',
    url: url.toString(),
    answer: a,
    error: spec.error ?? null,
    listing: group === 'dir' && a && a.status === 200 ? parseListing(a.body, url) : null,
    baseline,
  };
  if (spec.role) it.role = spec.role;
  if (spec.root) it.root = spec.root;
  if (spec.tag) it.tag = spec.tag;
  return it;
}

export function facts(items: ProbedItem[], over: Partial<ExposureFacts> = {}): ExposureFacts {
  return {
    base: BASE,
    cms: 'drupal',
    layouts: ['drupal'],
    items,
    requests: items.length,
    durationMs: 1,
    stopped: null,
    ...over,
  };
}

/** nginx's autoindex page for `dir` (path without leading slash) naming `names` (`x/` for a dir). */
export function nginxListing(dir: string, names: string[]): string {
  const rows = names
    .map((n) => `<a href="${encodeURI(n)}">${n}</a>        04-Dec-2026 10:00     12\r\n`)
    .join('');
  return `<html>\r\n<head><title>Index of /${dir}</title></head>\r\n<body>\r\n<h1>Index of /${dir}</h1><hr><pre><a href="../">../</a>\r\n${rows}</pre><hr></body>\r\n</html>\r\n`;
}

export const DRUPAL_404 =
  '<!DOCTYPE html><html><head><title>Page not found | Example</title></head><body><h1>Page not found</h1><p>The requested page could not be found.</p></body></html>';

/** A canary probe outcome (--root) with one dir verdict and optional real-log verdicts. */
export function canary(
  dir: Partial<DirCanary> & Pick<DirCanary, 'kind' | 'status'>,
  logs: Partial<LogFetch>[] = [],
): ProbeOutcome<CanaryFacts> {
  const d: DirCanary = {
    path: `/var/www/site/sites/default/files/civicrm/${dir.kind}/`,
    reason: dir.status === 'reachable' ? 'served at https://example.org/x (HTTP 200)' : 'not served: … → 403',
    file: '/var/www/site/sites/default/files/civicrm/x/civiguard-canary-0a.txt',
    attempts: [],
    reachableUrl: null,
    listing: false,
    listingUrl: null,
    deleted: true,
    ...dir,
  };
  return {
    ok: true,
    durationMs: 1,
    value: {
      base: BASE,
      dirs: [d],
      logs: logs.map((l) => ({
        path: '/var/www/site/sites/default/files/civicrm/ConfigAndLog/CiviCRM.abc.log',
        status: 'not-reachable',
        reason: 'not served',
        attempts: [],
        reachableUrl: null,
        ...l,
      })),
      written: [],
      leftBehind: [],
    },
  };
}

export const NO_ROOT: ProbeOutcome<CanaryFacts> = {
  ok: false,
  status: 'skip',
  reason: 'no --root given',
  durationMs: 0,
};
