import { defineProbe, FactUnavailable } from '../core/probe.js';
import type { CmsName } from '../core/target.js';
import { describeError } from '../core/errors.js';
import { httpClientProbe } from './http-client.js';
import type { HttpClient, HttpResponse, RedirectHop } from './net/http-fetch.js';
import { walkRedirects } from './net/http-fetch.js';
import { fetchPage, sameHost } from './http/page-fetch.js';
import { siteBase } from './http/sensitive-pages.js';

/** What the https front page says about the site. */
export interface SiteFacts {
  cms: CmsName;
  /** Why that CMS was chosen (markers seen), for the report. */
  cmsEvidence: string[];
  /** The https front page after same-site redirects, or null when https gave no page. */
  home: HttpResponse | null;
  /** Every response on the way to `home` (redirects included). */
  hops?: RedirectHop[];
  /** Why `home` is null (only with --cms given: without it, no front page makes the probe an error). */
  homeError?: string;
}

interface Marker {
  cms: Exclude<CmsName, 'unknown'>;
  test: (r: HttpResponse, body: string) => string | null;
}

const header = (r: HttpResponse, name: string) => r.headers[name] ?? '';
const bodyHas = (re: RegExp, why: string) => (_r: HttpResponse, b: string) => (re.test(b) ? why : null);

const MARKERS: Marker[] = [
  { cms: 'wordpress', test: bodyHas(/\/wp-(content|includes)\//, 'wp-content/wp-includes paths') },
  { cms: 'wordpress', test: bodyHas(/<meta name="generator" content="WordPress/i, 'generator WordPress') },
  { cms: 'wordpress', test: (r) => (/wp-json/.test(header(r, 'link')) ? 'Link: wp-json' : null) },
  { cms: 'wordpress', test: (r) => (/\/wp-login\.php/.test(r.url) ? 'front page is wp-login.php' : null) },
  {
    cms: 'backdrop',
    test: (r, b) =>
      /Backdrop CMS/i.test(header(r, 'x-generator') + b.slice(0, 8192)) ? 'generator Backdrop' : null,
  },
  { cms: 'backdrop', test: (r) => (header(r, 'x-backdrop-cache') ? 'X-Backdrop-Cache' : null) },
  {
    cms: 'backdrop',
    test: bodyHas(/\/core\/misc\/backdrop\.js|Backdrop\.settings/, 'backdrop.js / Backdrop.settings'),
  },
  { cms: 'drupal', test: (r) => (/Drupal/i.test(header(r, 'x-generator')) ? 'X-Generator: Drupal' : null) },
  {
    cms: 'drupal',
    test: (r) =>
      header(r, 'x-drupal-cache') || header(r, 'x-drupal-dynamic-cache') ? 'X-Drupal-Cache' : null,
  },
  { cms: 'drupal', test: bodyHas(/<meta name="Generator" content="Drupal/i, 'generator Drupal') },
  {
    cms: 'drupal',
    test: bodyHas(
      /\/sites\/[^/"']+\/files\/|drupalSettings|Drupal\.settings|data-drupal-selector|\/core\/misc\/drupal\.js/,
      'sites/*/files, drupalSettings or drupal.js',
    ),
  },
  { cms: 'joomla', test: bodyHas(/<meta name="generator" content="Joomla/i, 'generator Joomla') },
  {
    cms: 'joomla',
    test: bodyHas(
      /\/media\/(system|jui|vendor|templates)\/|option=com_|joomla-script-options/,
      'Joomla media / option=com_ / joomla-script-options',
    ),
  },
  {
    cms: 'standalone',
    test: bodyHas(
      /civicrm-standalone|\/core\/js\/crm\.|civiStandalone|SESSCIVISO|standalone-auth-form/i,
      'CiviCRM Standalone assets',
    ),
  },
  {
    cms: 'standalone',
    test: (r) => (r.setCookies.some((c) => /^SESSCIVISO/.test(c)) ? 'SESSCIVISO cookie' : null),
  },
  {
    cms: 'standalone',
    test: (r) => (/\/civicrm\/login\b/.test(r.url) ? 'front page is /civicrm/login' : null),
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

/** Login pages whose form gives the CMS away, tried only when the front page says nothing. */
const LOGIN_SIGNATURES: { cms: Exclude<CmsName, 'unknown'>; path: string; form: RegExp }[] = [
  {
    cms: 'wordpress',
    path: 'wp-login.php',
    form: /id="loginform"|name="wp-submit"|wp-login\.php\?action=lostpassword/,
  },
  { cms: 'drupal', path: 'user/login', form: /user-login-form|id="user-login"|value="user_login/ },
  { cms: 'joomla', path: 'administrator/', form: /com_login|mod-login|id="form-login"/ },
  { cms: 'standalone', path: 'civicrm/login', form: /standalone-auth-form|id="usernameInput"/ },
];

/** Identifies the CMS by its login form (≤ 4 requests, concurrently). */
export async function detectCmsByLoginPage(
  client: HttpClient,
  base: URL,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<{ cms: CmsName; evidence: string[] }> {
  const found = await Promise.all(
    LOGIN_SIGNATURES.map(async (sig) => {
      const page = await fetchPage(
        client,
        new URL(sig.path, base),
        { key: sig.path, role: 'login', title: sig.path },
        { signal, timeoutMs, maxHops: 2, maxBytes: 256 * 1024, follow: (next) => sameHost(next, base) },
      );
      const r = page.final;
      if (!r || r.status < 200 || r.status > 299) return null;
      const body = r.body.toString('utf8');
      if (!sig.form.test(body)) return null;
      const cms: CmsName = sig.cms === 'drupal' && /backdrop/i.test(body) ? 'backdrop' : sig.cms;
      return { cms, evidence: [`${cms} login form at /${sig.path}`] };
    }),
  );
  const hits = found.filter((f) => f !== null);
  if (hits.length !== 1) {
    // None, or several (a catch-all page that happens to match): do not guess.
    return { cms: 'unknown', evidence: hits.length ? hits.flatMap((h) => h.evidence) : [] };
  }
  return hits[0]!;
}

/** Same host, or the same name with/without `www.` (https://example.org → https://www.example.org). */
function sameSite(a: URL, b: URL): boolean {
  const strip = (h: string) => h.toLowerCase().replace(/^www\./, '');
  return strip(a.hostname) === strip(b.hostname);
}

export const siteProbe = defineProbe<SiteFacts>({
  name: 'site front page',
  // The front page, plus up to four login pages (concurrently) when the front page does not tell.
  timeoutMs: (t) => t.timeoutMs * 2,
  async run(ctx) {
    const client = await ctx.get(httpClientProbe);
    const given = ctx.target.cms;
    let chain;
    try {
      chain = await walkRedirects(client, ctx.target.url, {
        signal: ctx.signal,
        maxHops: 5,
        timeoutMs: ctx.target.timeoutMs,
        follow: (next) => sameSite(next, ctx.target.url),
      });
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      const homeError = `https front page: ${describeError(e)}`;
      if (given !== 'auto') return { cms: given, cmsEvidence: ['--cms'], home: null, homeError };
      throw new FactUnavailable('error', homeError);
    }
    const home = chain.final;
    if (!home) {
      const homeError = `https front page: ${chain.stopped ?? 'no page'}`;
      if (given !== 'auto')
        return { cms: given, cmsEvidence: ['--cms'], home: null, hops: chain.hops, homeError };
      throw new FactUnavailable('error', homeError);
    }
    if (given !== 'auto') return { cms: given, cmsEvidence: ['--cms'], home, hops: chain.hops };
    const d = detectCms(home);
    if (d.cms !== 'unknown') return { cms: d.cms, cmsEvidence: d.evidence, home, hops: chain.hops };
    ctx.note('front page does not name the CMS; trying login pages');
    const byLogin = await detectCmsByLoginPage(
      client,
      siteBase(ctx.target.url),
      ctx.signal,
      ctx.target.timeoutMs,
    );
    return { cms: byLogin.cms, cmsEvidence: byLogin.evidence, home, hops: chain.hops };
  },
});
