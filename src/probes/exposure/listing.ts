/**
 * Recognises server-generated directory listings (autoindex pages) and reads their entries. A page is a
 * listing only when it has a server's own listing markup, not merely the words "Index of" somewhere:
 * CMS pages that mention a directory must not count.
 */

export type ListingServer = 'nginx' | 'apache' | 'lighttpd' | 'iis' | 'python' | 'generic';

export interface ListingEntry {
  name: string;
  dir: boolean;
}

export interface Listing {
  server: ListingServer;
  /** Direct children named by the page (parent link and sort links excluded), first `MAX_ENTRIES`. */
  entries: ListingEntry[];
  /** How many children the page names in all (it may be more than `entries` holds). */
  total: number;
}

/** Bytes of a page that are looked at. */
export const MAX_PAGE_BYTES = 256 * 1024;
const MAX_ANCHORS = 20_000;
const MAX_ENTRIES = 500;

function serverOf(html: string): ListingServer | null {
  const title = /<title>([^<]{0,500})<\/title>/i.exec(html)?.[1]?.trim() ?? '';
  if (/^Directory listing for \//i.test(title)) return 'python';
  if (
    /<h1>[^<]{0,500} - \/[^<]{0,500}<\/h1>\s*<hr>/i.test(html) &&
    /\[To Parent Directory\]|<pre>/i.test(html)
  )
    return 'iis';
  if (!/^Index of \//i.test(title)) return null;
  if (/<h1>Index of [^<]*<\/h1><hr><pre>/i.test(html)) return 'nginx';
  if (/<h2>Index of /i.test(html) && /class="list"|summary="Directory Listing"|lighttpd/i.test(html))
    return 'lighttpd';
  if (/Parent Directory|\?C=[NMSD][;&](?:amp;)?O=[AD]|<address>Apache/i.test(html)) return 'apache';
  return 'generic';
}

/**
 * Parses an autoindex page served for `dirUrl` (which must end with `/`); null when it is not one.
 *
 * @example
 * parseListing('<html><head><title>Index of /up/</title></head><body><h1>Index of /up/</h1><hr><pre>' +
 *   '<a href="../">../</a>\n<a href="a.csv">a.csv</a>  01-Jan-2024 10:00  12\n</pre><hr></body></html>',
 *   new URL('https://example.org/up/'))
 * // → { server: 'nginx', entries: [{ name: 'a.csv', dir: false }], total: 1 }
 */
export function parseListing(body: Buffer | string, dirUrl: URL): Listing | null {
  const html =
    typeof body === 'string'
      ? body.slice(0, MAX_PAGE_BYTES)
      : body.toString('utf8', 0, Math.min(body.length, MAX_PAGE_BYTES));
  const server = serverOf(html);
  if (!server) return null;
  const prefix = dirUrl.pathname.endsWith('/') ? dirUrl.pathname : `${dirUrl.pathname}/`;
  const seen = new Set<string>();
  const entries: ListingEntry[] = [];
  const anchor = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/gi;
  let m: RegExpExecArray | null;
  let anchors = 0;
  while ((m = anchor.exec(html)) !== null && ++anchors <= MAX_ANCHORS) {
    const href = (m[1] ?? m[2] ?? m[3] ?? '').replace(/&amp;/g, '&');
    if (!href || href.startsWith('?') || href.startsWith('#') || href.includes('?')) continue;
    let u: URL;
    try {
      u = new URL(href, dirUrl);
    } catch {
      continue;
    }
    if (u.origin !== dirUrl.origin || !u.pathname.startsWith(prefix)) continue;
    const rest = u.pathname.slice(prefix.length);
    const isDir = rest.endsWith('/');
    const raw = isDir ? rest.slice(0, -1) : rest;
    if (!raw || raw.includes('/')) continue;
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      name = raw;
    }
    if (name === '.' || name === '..' || seen.has(name)) continue;
    seen.add(name);
    if (entries.length < MAX_ENTRIES) entries.push({ name, dir: isDir });
  }
  return { server, entries, total: seen.size };
}
