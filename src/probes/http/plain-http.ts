import { defineProbe } from '../../core/probe.js';
import type { CmsName } from '../../core/target.js';
import { httpClientProbe } from '../http-client.js';
import { siteProbe } from '../site.js';
import type { PageFetch } from './page-fetch.js';
import { fetchPage, mapBounded, MAX_CONCURRENT_FETCHES, sameHost } from './page-fetch.js';
import { pageUrl, sensitivePages, siteBase } from './sensitive-pages.js';

/** The plain-http side of the site: its root and the sensitive pages, asked over http://. */
export interface PlainHttpFacts {
  /** `--http-url` (default http://<host>/) and where its redirects led, while they stayed on http. */
  root: PageFetch;
  cms: CmsName;
  cmsEvidence: string[];
  /** Why the CMS is unknown when the https side could not be read (the generic page set was used). */
  siteError: string | null;
  pages: PageFetch[];
}

/**
 * Asks the plain-http side. Redirects are followed only while they stay on http:// on the same host
 * (so `/civicrm/admin` → `/user/login` over http is seen); the first https:// target is recorded, not
 * fetched. When the root gets no answer at all, the pages are not tried (they would only time out too).
 */
export const plainHttpProbe = defineProbe<PlainHttpFacts>({
  name: 'plain http',
  // The root and the site probe concurrently (≤ 2 budgets), then two waves of pages.
  timeoutMs: (t) => t.timeoutMs * 4,
  async run(ctx) {
    const client = await ctx.get(httpClientProbe);
    const httpUrl = ctx.target.httpUrl;
    const follow = (next: URL) => next.protocol === 'http:' && sameHost(next, httpUrl);
    const [root, site] = await Promise.all([
      fetchPage(
        client,
        httpUrl,
        { key: 'root', role: 'front', title: 'plain-http root' },
        { signal: ctx.signal, timeoutMs: ctx.target.timeoutMs, maxHops: 10, follow },
      ),
      ctx.outcome(siteProbe),
    ]);
    const cms: CmsName = site.ok ? site.value.cms : ctx.target.cms === 'auto' ? 'unknown' : ctx.target.cms;
    const list = sensitivePages(cms);
    // A site in a sub-directory keeps it on the http side unless --http-url names a path of its own.
    const base =
      httpUrl.pathname === '/'
        ? new URL(siteBase(ctx.target.url).pathname, httpUrl.origin)
        : siteBase(httpUrl);
    let pages: PageFetch[];
    if (root.error) {
      const error = { ...root.error, reason: `not tried: the plain-http root failed (${root.error.reason})` };
      pages = list.map((p) => ({
        key: p.key,
        role: p.role,
        title: p.title,
        url: pageUrl(base, p).toString(),
        hops: [],
        final: null,
        stopped: null,
        unfollowed: null,
        error,
      }));
    } else {
      ctx.note(`${list.length} pages over plain http`);
      pages = await mapBounded(list, MAX_CONCURRENT_FETCHES, (p) =>
        fetchPage(client, pageUrl(base, p), p, {
          signal: ctx.signal,
          timeoutMs: ctx.target.timeoutMs,
          follow,
        }),
      );
    }
    return {
      root,
      cms,
      cmsEvidence: site.ok ? site.value.cmsEvidence : [],
      siteError: site.ok ? null : site.reason,
      pages,
    };
  },
});
