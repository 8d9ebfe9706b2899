/**
 * The exposure probe (remote mode): requests the CiviCRM data dirs, well-known settings, VCS, dump and
 * leftover-script names of the site's CMS layout, with soft-404 baselines, and reports what each
 * answered. It never judges: the exposure.* checks do.
 */
import { randomBytes } from 'node:crypto';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import type { ProbeOutcome } from '../../core/probe.js';
import type { AuditTarget, CmsName } from '../../core/target.js';
import { httpClientProbe } from '../http-client.js';
import type { SiteFacts } from '../site.js';
import { siteProbe } from '../site.js';
import { BACKUP_NAME } from './layout.js';
import { parseListing } from './listing.js';
import { makePlan } from './plan.js';
import type { RequestKind } from './requester.js';
import { Requester } from './requester.js';
import { isHtmlPage, sameAsBaseline, servedOwnContent } from './soft404.js';
import type { Answer, Baseline, ExposureFacts, PlanItem, ProbedItem } from './types.js';

export type { ExposureFacts, ProbedItem } from './types.js';

/** Most requests one audit makes here (plan, follow-ups and baselines). */
export const MAX_REQUESTS = 300;
const CONCURRENCY = 6;
const MAX_LISTED_BACKUPS = 4;

/** The probe's whole budget: three request timeouts, at least 10 s, at most 3 min. */
export function exposureBudgetMs(target: AuditTarget): number {
  return Math.max(10_000, Math.min(180_000, 3 * target.timeoutMs));
}

function kindOf(p: PlanItem): RequestKind {
  if (p.group === 'dir') return 'dir';
  if (p.group === 'unsafe') return 'page';
  return 'file';
}

/** `.settings.php.swp` → `.php.swp`; `dump.sql.gz` → `.sql.gz`; `HEAD` → ''. */
function suffixOf(name: string): string {
  const dot = name.indexOf('.', name.startsWith('.') ? 1 : 0);
  return dot < 0 ? '' : name.slice(dot);
}

/** A random sibling of `path` that should not exist: same directory, same suffix (or a directory). */
export function baselinePath(path: string): { key: string; path: string } {
  const rnd = `civiguard-${randomBytes(6).toString('hex')}`;
  if (path.endsWith('/')) {
    const parent = path.slice(0, path.slice(0, -1).lastIndexOf('/') + 1);
    return { key: `${parent}|/`, path: `${parent}${rnd}/` };
  }
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  const suffix = suffixOf(name);
  return { key: `${dir}|${suffix}`, path: `${dir}${name.startsWith('.') ? '.' : ''}${rnd}${suffix}` };
}

/** The site's base URL: the https URL's directory, on the origin the front page settled on. */
function baseUrl(target: AuditTarget, site: ProbeOutcome<SiteFacts>): URL {
  let path = target.url.pathname;
  if (!path.endsWith('/'))
    path = /\.[a-z0-9]+$/i.test(path) ? path.slice(0, path.lastIndexOf('/') + 1) : `${path}/`;
  const home = site.ok ? site.value.home : null;
  const origin = home ? new URL(home.url).origin : target.url.origin;
  return new URL(path, origin);
}

/** Groups whose answers are judged by status too (existence, a script that runs), not by content alone. */
const STATUS_JUDGED = new Set<PlanItem['group']>(['dir', 'settings', 'unsafe', 'code-root', 'listed']);

/**
 * Whether to fetch a soft-404 baseline for an answer. Never for 404/410/redirects. Groups judged by
 * content (copies, dumps, VCS files, sentinels) need one only when the answer could be such content,
 * i.e. is not an HTML page: that keeps catch-all sites from doubling the request count.
 */
function needsBaseline(p: PlanItem, a: Answer): boolean {
  if (a.status === 404 || a.status === 410 || (a.status >= 300 && a.status < 400)) return false;
  return STATUS_JUDGED.has(p.group) || !(a.status >= 200 && a.status < 300 && isHtmlPage(a.body));
}

/** Whether a gate request shows that the place exists (a listing, or an answer unlike a random name's). */
function alive(item: ProbedItem): boolean {
  const a = item.answer;
  if (!a) return false;
  if (item.group === 'code-root') return servedOwnContent(item.path, a, item.baseline);
  if (item.listing) return true;
  if (a.status === 404 || a.status === 410 || (a.status >= 300 && a.status < 400) || a.status >= 500)
    return false;
  return !sameAsBaseline(item.path, a, item.baseline);
}

export const exposureProbe = defineProbe<ExposureFacts>({
  name: 'exposure paths',
  timeoutMs: exposureBudgetMs,
  async run(ctx) {
    const t0 = performance.now();
    const client = await ctx.get(httpClientProbe);
    const site = await ctx.outcome(siteProbe);
    const cms: CmsName = ctx.target.cms !== 'auto' ? ctx.target.cms : site.ok ? site.value.cms : 'unknown';
    let base = baseUrl(ctx.target, site);
    const budget = exposureBudgetMs(ctx.target);
    const reqOpts = {
      client,
      signal: ctx.signal,
      concurrency: CONCURRENCY,
      requestTimeoutMs: Math.min(ctx.target.timeoutMs, 10_000),
      // Leave the runner's own timer room, so that the facts gathered so far are reported.
      budgetMs: budget - Math.max(1000, budget / 10),
      maxRequests: MAX_REQUESTS,
    };
    const deadline = t0 + reqOpts.budgetMs;
    let extraRequests = 0;
    // No https front page: the data may still be served over plain http (the tls.* checks report https).
    if (!(site.ok && site.value.home)) {
      const tryBase = async (b: URL) => {
        const r = new Requester({ ...reqOpts, base: b, budgetMs: reqOpts.requestTimeoutMs + 1000 });
        const o = await r.get('', 'file');
        r.close();
        extraRequests += r.requests;
        return o.answer !== null;
      };
      if (!(await tryBase(base)) && (await tryBase(ctx.target.httpUrl))) base = new URL(ctx.target.httpUrl);
    }

    const plan = makePlan(cms, base.hostname);
    const req = new Requester({
      ...reqOpts,
      base,
      budgetMs: Math.max(0, deadline - performance.now()),
      totalBudgetMs: reqOpts.budgetMs,
    });
    const fetched = new Map<string, Promise<ProbedItem>>();
    const baselines = new Map<string, Promise<Baseline | null>>();
    const pending: Promise<unknown>[] = [];
    let listedBackups = 0;

    const baselineFor = (path: string, kind: RequestKind): Promise<Baseline | null> => {
      const b = baselinePath(path);
      let p = baselines.get(b.key);
      if (!p) {
        p = req.get(b.path, kind).then((o) => (o.answer ? { ...o.answer, path: b.path } : null));
        p.catch(() => undefined); // a cancelled audit rejects it; whoever awaits it reports that
        baselines.set(b.key, p);
      }
      return p;
    };

    const followUps = (item: ProbedItem) => {
      const listing = item.listing;
      if (!listing || !item.answer || sameAsBaseline(item.path, item.answer, item.baseline)) return;
      const files = listing.entries.filter((e) => !e.dir);
      if (
        item.role === 'upload' ||
        item.role === 'custom' ||
        item.role === 'log' ||
        item.role === 'templates'
      ) {
        const pick =
          (item.role === 'log' ? files.find((e) => /^CiviCRM\..*log/i.test(e.name)) : undefined) ??
          files.find((e) => !/^index\.html?$/i.test(e.name));
        if (pick) {
          const path = `${item.path}${encodeURIComponent(pick.name)}`;
          const next: PlanItem = { path, group: 'listed', layout: item.layout, role: item.role };
          if (item.root !== undefined) next.root = item.root;
          pending.push(probe(next));
        }
      }
      for (const e of files) {
        if (listedBackups >= MAX_LISTED_BACKUPS || !BACKUP_NAME.test(e.name)) continue;
        listedBackups++;
        const path = `${item.path}${encodeURIComponent(e.name)}`;
        pending.push(probe({ path, group: 'backup', layout: item.layout, tag: 'listed' }));
      }
    };

    const probe = (p: PlanItem): Promise<ProbedItem> => {
      const known = fetched.get(p.path);
      if (known) return known;
      const run = (async (): Promise<ProbedItem> => {
        const kind = kindOf(p);
        const url = req.url(p.path);
        const out = await req.get(p.path, kind);
        const item: ProbedItem = {
          ...p,
          url: url.toString(),
          answer: out.answer,
          error: out.error,
          listing: null,
          baseline: null,
        };
        const a = out.answer;
        if (!a) return item;
        if (kind === 'dir' && a.status >= 200 && a.status < 300) item.listing = parseListing(a.body, url);
        if (needsBaseline(p, a)) item.baseline = await baselineFor(p.path, kind);
        followUps(item);
        return item;
      })();
      run.catch(() => undefined); // awaited through `pending`; this only keeps a cancel from going unhandled
      fetched.set(p.path, run);
      return run;
    };

    try {
      for (const p of plan.initial) pending.push(probe(p));
      for (const g of plan.gated) {
        pending.push(
          Promise.all(g.gate.map(probe)).then((gate) => {
            if (gate.some(alive)) for (const p of g.deep) pending.push(probe(p));
          }),
        );
      }
      while (pending.length) await Promise.all(pending.splice(0));
    } finally {
      req.close();
    }
    if (req.successes === 0) {
      throw new FactUnavailable(
        'error',
        `${base.origin} answered none of ${req.requests} requests: ${req.stopped ?? req.firstError ?? 'no answer'}`,
      );
    }
    const items = await Promise.all(fetched.values());
    ctx.note(`${req.requests} requests`);
    return {
      base: base.toString(),
      cms,
      layouts: plan.layouts,
      items,
      requests: req.requests + extraRequests,
      durationMs: Math.round(performance.now() - t0),
      stopped: req.stopped,
    };
  },
});
