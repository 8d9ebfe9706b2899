import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { tokenizeHtml } from '../../probes/http/html-tokens.js';
import { pagesProbe } from '../../probes/http/pages.js';

export type MixedKind = 'active' | 'passive' | 'form';

export interface MixedRef {
  kind: MixedKind;
  tag: string;
  attr: string;
  url: string;
}

/** Attributes holding one URL, per element, and what loading it over http is. */
const URL_ATTRS: Record<string, [attr: string, kind: MixedKind][]> = {
  script: [['src', 'active']],
  iframe: [['src', 'active']],
  frame: [['src', 'active']],
  object: [['data', 'active']],
  embed: [['src', 'active']],
  form: [['action', 'form']],
  button: [['formaction', 'form']],
  img: [['src', 'passive']],
  video: [
    ['src', 'passive'],
    ['poster', 'passive'],
  ],
  audio: [['src', 'passive']],
  source: [['src', 'passive']],
  track: [['src', 'passive']],
};

// Subresource links: a stylesheet or preloaded script is active content; an icon is an image.
const ACTIVE_REL = /\b(stylesheet|modulepreload|preload|import)\b/i;
const PASSIVE_REL = /\b(icon|apple-touch-icon)\b/i;
const CSS_URL = /@import\s+(?:url\(\s*)?["']?\s*(http:[^"')\s]*)|url\(\s*["']?\s*(http:[^"')\s]*)/gi;

/** The http:// subresources and form targets of one HTML page (relative URLs resolved against `<base>`). */
export function findMixedContent(html: string, pageUrl: string): MixedRef[] {
  const out: MixedRef[] = [];
  let base = pageUrl;
  const add = (kind: MixedKind, tag: string, attr: string, raw: string) => {
    // Without a scheme, a URL inherits the (https) base's: no need to parse it.
    if (!raw.includes(':') && base.startsWith('https:')) return;
    let u: URL;
    try {
      u = new URL(raw, base);
    } catch {
      return;
    }
    if (u.protocol === 'http:' && out.length < 500) out.push({ kind, tag, attr, url: u.toString() });
  };
  const css = (tag: string, attr: string, text: string) => {
    for (const m of text.slice(0, 256 * 1024).matchAll(CSS_URL)) {
      if (m[1]) add('active', tag, `${attr} @import`, m[1]);
      else if (m[2]) add('passive', tag, `${attr} url()`, m[2]);
    }
  };
  for (const t of tokenizeHtml(html)) {
    if (t.type === 'rawtext') {
      if (t.name === 'style') css('style', 'content', t.text);
      continue;
    }
    const a = t.attrs;
    if (t.name === 'base' && a.has('href')) {
      try {
        base = new URL(a.get('href')!, pageUrl).toString();
      } catch {
        /* an unusable <base> is ignored, as browsers do */
      }
      continue;
    }
    for (const [attr, kind] of URL_ATTRS[t.name] ?? []) {
      const v = a.get(attr);
      if (v !== undefined && v.trim() !== '') add(kind, t.name, attr, v);
    }
    if (t.name === 'input' && a.get('type')?.toLowerCase() === 'image' && a.get('src')) {
      add('passive', 'input', 'src', a.get('src')!);
    }
    if (t.name === 'input' && a.get('formaction')) add('form', 'input', 'formaction', a.get('formaction')!);
    if ((t.name === 'img' || t.name === 'source') && a.get('srcset')) {
      for (const cand of a.get('srcset')!.split(',')) {
        const u = cand.trim().split(/\s+/)[0];
        if (u) add('passive', t.name, 'srcset', u);
      }
    }
    if (t.name === 'link' && a.get('href')) {
      const rel = a.get('rel') ?? '';
      const as = a.get('as')?.toLowerCase();
      if (ACTIVE_REL.test(rel)) {
        const passive = /preload/i.test(rel) && (as === 'image' || as === 'audio' || as === 'video');
        add(passive ? 'passive' : 'active', 'link', `href (rel=${rel})`, a.get('href')!);
      } else if (PASSIVE_REL.test(rel)) add('passive', 'link', `href (rel=${rel})`, a.get('href')!);
    }
    if (a.has('style')) css(t.name, 'style', a.get('style')!);
  }
  return out;
}

const isHtml = (headers: Record<string, string>, body: Buffer) => {
  const ct = headers['content-type'];
  if (ct) return /html/i.test(ct);
  return /^\s*</.test(body.toString('latin1', 0, 256));
};

export default defineCheck({
  id: 'http.mixed-content',
  area: 'http',
  title: 'No mixed content on https pages',
  severity: 'error',
  seed: 'Setting up SSL (browsers warn about insecure content)',
  description:
    'Tokenizes the HTML of every https page fetched (first 1 MiB each) and resolves each subresource URL against the page and its `<base>`. Scripts, stylesheets, frames, objects and embeds loaded over http:// fail (error); images and media over http:// warn; a form that posts to http:// fails (error). Relative and protocol-relative URLs are fine.',
  remediation:
    'Load every resource over https (or with a relative / protocol-relative URL), point forms at https URLs, and fix CiviCRM’s Resource URLs (Administer › System Settings › Resource URLs) and the CMS base URL if they still say http://. `Content-Security-Policy: upgrade-insecure-requests` is a stopgap.',
  references: ['https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content'],
  outcomes: {
    active: { title: 'Scripts, styles or frames loaded over http', severity: 'error' },
    passive: { title: 'Images or media loaded over http', severity: 'warning' },
    form: { title: 'Forms posting to http', severity: 'error' },
  },
  probes: { pages: pagesProbe },
  mode: 'remote',
  run({ pages }): Finding[] {
    const checked: string[] = [];
    const truncated: string[] = [];
    const found: (MixedRef & { page: string })[] = [];
    for (const p of pages.pages) {
      const f = p.final;
      if (!f || !f.url.startsWith('https:') || f.status < 200 || f.status > 299) continue;
      if (!isHtml(f.headers, f.body) || checked.includes(f.url)) continue;
      checked.push(f.url);
      if (f.truncated) truncated.push(f.url);
      for (const r of findMixedContent(f.body.toString('utf8'), f.url)) found.push({ ...r, page: f.url });
    }
    if (checked.length === 0) {
      return [{ status: 'skip', message: 'no HTML page was served over https (2xx) to look into' }];
    }
    const cut = truncated.length ? `; only the first 1 MiB of ${truncated.join(', ')} was read` : '';
    const labels: Record<MixedKind, string> = {
      active: 'active content (scripts, styles, frames) over http',
      passive: 'images/media over http',
      form: 'form(s) posting to http',
    };
    const findings: Finding[] = [];
    for (const kind of ['active', 'form', 'passive'] as const) {
      const refs = found.filter((r) => r.kind === kind);
      if (refs.length === 0) continue;
      const sample = refs.slice(0, 5).map((r) => `<${r.tag} ${r.attr}> ${r.url}`);
      findings.push({
        outcome: kind,
        status: 'fail',
        message: `${refs.length} ${labels[kind]}: ${sample.join('; ')}${refs.length > 5 ? '; …' : ''}${cut}`,
        evidence: { pagesChecked: checked, refs: refs.slice(0, 50), truncated },
      });
    }
    if (findings.length) return findings;
    return [
      {
        status: 'pass',
        message: `${checked.length} https page(s) checked: no http:// subresources or form targets${cut}`,
        evidence: { pagesChecked: checked, truncated },
      },
    ];
  },
});
