import { defineProbe, FactUnavailable } from '../../core/probe.js';
import type { CmsName } from '../../core/target.js';
import { httpClientProbe } from '../http-client.js';
import { siteProbe } from '../site.js';
import type { PageFetch } from './page-fetch.js';
import { fetchPage, mapBounded, MAX_CONCURRENT_FETCHES, sameHost } from './page-fetch.js';
import { pageUrl, sensitivePages, siteBase } from './sensitive-pages.js';

/** The https side of the site: the front page and the CMS's sensitive pages, each fetched once. */
export interface PagesFacts {
  cms: CmsName;
  cmsEvidence: string[];
  /** The base URL the page paths were resolved against. */
  base: string;
  /** The front page first (from the site probe), then the sensitive pages of `cms` (SPEC §4). */
  pages: PageFetch[];
}

/**
 * Fetches the login, admin, contribution and event pages over https (redirects followed on the same
 * host and scheme, ≤ 5 hops, ≤ 6 at a time, body ≤ 1 MiB). A page that fails is recorded with its
 * error; only a broken https front page makes the whole fact unavailable.
 */
export const pagesProbe = defineProbe<PagesFacts>({
  name: 'https pages',
  // The site probe (≤ 2 budgets) and two waves of page chains.
  timeoutMs: (t) => t.timeoutMs * 4,
  async run(ctx) {
    const [client, site] = await Promise.all([ctx.get(httpClientProbe), ctx.get(siteProbe)]);
    if (!site.home) throw new FactUnavailable('error', site.homeError ?? 'no https front page');
    const base = siteBase(ctx.target.url);
    const front: PageFetch = {
      key: 'front',
      role: 'front',
      title: 'front page',
      url: ctx.target.url.toString(),
      hops: site.hops ?? [],
      final: site.home,
      stopped: null,
      unfollowed: null,
      error: null,
    };
    const list = sensitivePages(site.cms);
    ctx.note(`${list.length} ${site.cms === 'unknown' ? 'generic' : site.cms} pages over https`);
    const pages = await mapBounded(list, MAX_CONCURRENT_FETCHES, (p) =>
      fetchPage(client, pageUrl(base, p), p, {
        signal: ctx.signal,
        timeoutMs: ctx.target.timeoutMs,
        follow: (next) => next.protocol === 'https:' && sameHost(next, base),
      }),
    );
    return { cms: site.cms, cmsEvidence: site.cmsEvidence, base: base.toString(), pages: [front, ...pages] };
  },
});
