import { response } from '../../test-support/facts.js';
import type { HttpResponse } from '../net/http-fetch.js';
import type { PageFetch } from './page-fetch.js';
import type { PagesFacts } from './pages.js';
import type { PlainHttpFacts } from './plain-http.js';
import type { PageRole } from './sensitive-pages.js';

/** A response for a fixture: any HttpResponse field, the body as text or bytes. */
export type ResponseSpec = Omit<Partial<HttpResponse>, 'body'> & { body?: Buffer | string };

/** Test builders for page facts (check table tests). */
export interface PageSpec {
  key?: string;
  role?: PageRole | 'front';
  url?: string;
  /** The responses in order; the last one is `final` unless `unfollowed` or an error is given. */
  responses?: ResponseSpec[];
  unfollowed?: string;
  stopped?: string;
  error?: string;
  refused?: boolean;
}

export function page(spec: PageSpec = {}): PageFetch {
  const url = spec.url ?? 'https://example.org/';
  const rs = (spec.responses ?? (spec.error ? [] : [{}])).map((r, i, all) =>
    response({
      url: i === 0 ? url : (all[i - 1]?.headers?.['location'] ?? url),
      ...r,
      body: Buffer.from(r.body ?? ''),
    }),
  );
  return {
    key: spec.key ?? 'front',
    role: spec.role ?? 'front',
    title: spec.key ?? 'front page',
    url,
    hops: rs.map((r) => ({
      url: r.url,
      status: r.status,
      location: r.headers['location'] ?? null,
      headers: r.headers,
      setCookies: r.setCookies,
    })),
    final: spec.stopped && !spec.responses ? null : (rs[rs.length - 1] ?? null),
    stopped: spec.stopped ?? null,
    unfollowed: spec.unfollowed ?? null,
    error: spec.error
      ? { reason: spec.error, code: spec.refused ? 'ECONNREFUSED' : null, refused: spec.refused ?? false }
      : null,
  };
}

export function pagesFacts(pages: PageFetch[], cms: PagesFacts['cms'] = 'drupal'): PagesFacts {
  return { cms, cmsEvidence: [], base: 'https://example.org/', pages };
}

export function plainFacts(
  root: PageFetch,
  pages: PageFetch[] = [],
  cms: PlainHttpFacts['cms'] = 'drupal',
): PlainHttpFacts {
  return { root, cms, cmsEvidence: [], siteError: null, pages };
}
