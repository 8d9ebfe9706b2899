import { defineProbe, FactUnavailable } from '../core/probe.js';
import type { CmsName } from '../core/target.js';
import { describeError } from '../core/errors.js';
import { httpClientProbe } from './http-client.js';
import type { HttpResponse } from './net/http-fetch.js';
import { walkRedirects } from './net/http-fetch.js';

/** What the https front page says about the site. */
export interface SiteFacts {
  cms: CmsName;
  /** Why that CMS was chosen (markers seen), for the report. */
  cmsEvidence: string[];
  /** The https front page after same-site redirects, or null when https gave no page. */
  home: HttpResponse | null;
}

interface Marker {
  cms: Exclude<CmsName, 'unknown'>;
  test: (r: HttpResponse, body: string) => string | null;
}

const header = (r: HttpResponse, name: string) => r.headers[name] ?? '';

const MARKERS: Marker[] = [
  {
    cms: 'wordpress',
    test: (_r, b) => (/\/wp-(content|includes)\//.test(b) ? 'wp-content/wp-includes paths' : null),
  },
  {
    cms: 'wordpress',
    test: (_r, b) => (/<meta name="generator" content="WordPress/i.test(b) ? 'generator WordPress' : null),
  },
  { cms: 'wordpress', test: (r) => (/wp-json/.test(header(r, 'link')) ? 'Link: wp-json' : null) },
  {
    cms: 'backdrop',
    test: (r, b) =>
      /Backdrop CMS/i.test(header(r, 'x-generator') + b.slice(0, 4096)) ? 'generator Backdrop' : null,
  },
  { cms: 'drupal', test: (r) => (/Drupal/i.test(header(r, 'x-generator')) ? 'X-Generator: Drupal' : null) },
  {
    cms: 'drupal',
    test: (r) =>
      header(r, 'x-drupal-cache') || header(r, 'x-drupal-dynamic-cache') ? 'X-Drupal-Cache' : null,
  },
  {
    cms: 'drupal',
    test: (_r, b) => (/<meta name="Generator" content="Drupal/i.test(b) ? 'generator Drupal' : null),
  },
  {
    cms: 'drupal',
    test: (_r, b) =>
      /\/sites\/[^/"']+\/files\//.test(b) || /drupalSettings|Drupal\.settings/.test(b)
        ? 'sites/*/files or drupalSettings'
        : null,
  },
  {
    cms: 'joomla',
    test: (_r, b) => (/<meta name="generator" content="Joomla/i.test(b) ? 'generator Joomla' : null),
  },
  {
    cms: 'joomla',
    test: (_r, b) =>
      /\/media\/(system|jui|vendor)\/|option=com_/.test(b) ? 'Joomla media/option=com_ paths' : null,
  },
  {
    cms: 'standalone',
    test: (_r, b) =>
      /civicrm-standalone|\/core\/js\/crm\.|civiStandalone|SESSCIVISO/i.test(b)
        ? 'CiviCRM Standalone assets'
        : null,
  },
  {
    cms: 'standalone',
    test: (r) => (r.setCookies.some((c) => /^SESSCIVISO/.test(c)) ? 'SESSCIVISO cookie' : null),
  },
];

/** Detects the CMS from the front page's headers, cookies and markup. */
export function detectCms(res: HttpResponse): { cms: CmsName; evidence: string[] } {
  const body = res.body.toString('utf8', 0, Math.min(res.body.length, 512 * 1024));
  const votes = new Map<CmsName, string[]>();
  for (const m of MARKERS) {
    const why = m.test(res, body);
    if (why) votes.set(m.cms, [...(votes.get(m.cms) ?? []), why]);
  }
  // Backdrop descends from Drupal and shares markers; a Backdrop generator wins.
  if (votes.has('backdrop')) return { cms: 'backdrop', evidence: votes.get('backdrop')! };
  let best: CmsName = 'unknown';
  let evidence: string[] = [];
  for (const [cms, why] of votes) if (why.length > evidence.length) [best, evidence] = [cms, why];
  return { cms: best, evidence };
}

export const siteProbe = defineProbe<SiteFacts>({
  name: 'site front page',
  async run(ctx) {
    const client = await ctx.get(httpClientProbe);
    let chain;
    try {
      chain = await walkRedirects(client, ctx.target.url, {
        signal: ctx.signal,
        maxHops: 5,
        timeoutMs: ctx.target.timeoutMs,
      });
    } catch (e) {
      if (ctx.target.cms !== 'auto') return { cms: ctx.target.cms, cmsEvidence: ['--cms'], home: null };
      throw new FactUnavailable('error', `https front page: ${describeError(e)}`);
    }
    const home = chain.final;
    if (ctx.target.cms !== 'auto') return { cms: ctx.target.cms, cmsEvidence: ['--cms'], home };
    if (!home) return { cms: 'unknown', cmsEvidence: [chain.stopped ?? 'no page'], home: null };
    const d = detectCms(home);
    return { cms: d.cms, cmsEvidence: d.evidence, home };
  },
});
