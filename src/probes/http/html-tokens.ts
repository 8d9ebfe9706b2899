/**
 * A small, forgiving HTML tokenizer: start tags with their attributes, and the raw text of
 * script/style-like elements. Enough to find the URLs a page loads; not a DOM. Input and output are
 * capped (untrusted pages): the first `maxChars` characters, at most `maxTags` tags, 256 attributes a tag.
 */
export type HtmlToken =
  { type: 'tag'; name: string; attrs: Map<string, string> } | { type: 'rawtext'; name: string; text: string };

export interface TokenizeOptions {
  /** Characters read (default 1 Mi). */
  maxChars?: number;
  /** Tags reported (default 50,000). */
  maxTags?: number;
}

// Elements whose content is not markup: a `<script src="http://…">` inside them is not a tag.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes']);
const MAX_ATTRS = 256;

// Character classes by code (faster than a regex per character on a 1 MiB page).
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const endsName = (c: number) => isSpace(c) || c === 47 /* / */ || c === 62; /* > */
const endsAttrName = (c: number) => endsName(c) || c === 61; /* = */

const closers = new Map<string, RegExp>();
function closer(name: string): RegExp {
  let re = closers.get(name);
  if (!re) closers.set(name, (re = new RegExp(`</${name}[\\s/>]`, 'gi')));
  re.lastIndex = 0;
  return re;
}

export function* tokenizeHtml(input: string, opts: TokenizeOptions = {}): Generator<HtmlToken> {
  const html = input.length > (opts.maxChars ?? 1 << 20) ? input.slice(0, opts.maxChars ?? 1 << 20) : input;
  const maxTags = opts.maxTags ?? 50_000;
  const n = html.length;
  let tags = 0;
  let i = 0;
  while (i < n && tags < maxTags) {
    const lt = html.indexOf('<', i);
    if (lt < 0) return;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    const c = html.charCodeAt(lt + 1);
    if (c === 33 /* ! */ || c === 63 /* ? */ || c === 47 /* / */) {
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
      i = lt + 1;
      continue;
    }
    // Tag name.
    let j = lt + 1;
    while (j < n && !endsName(html.charCodeAt(j))) j++;
    const name = html.slice(lt + 1, j).toLowerCase();
    const attrs = new Map<string, string>();
    // Attributes.
    for (;;) {
      while (j < n && (isSpace(html.charCodeAt(j)) || html.charCodeAt(j) === 47)) j++;
      if (j >= n || html[j] === '>') break;
      const a0 = j;
      j++; // the first character may be '=' (HTML treats it as part of the name)
      while (j < n && !endsAttrName(html.charCodeAt(j))) j++;
      const attr = html.slice(a0, j).toLowerCase();
      let value = '';
      let k = j;
      while (k < n && isSpace(html.charCodeAt(k))) k++;
      if (html[k] === '=') {
        k++;
        while (k < n && isSpace(html.charCodeAt(k))) k++;
        const q = html[k];
        if (q === '"' || q === "'") {
          const end = html.indexOf(q, k + 1);
          value = html.slice(k + 1, end < 0 ? n : end);
          j = end < 0 ? n : end + 1;
        } else {
          const v0 = k;
          while (k < n && !isSpace(html.charCodeAt(k)) && html.charCodeAt(k) !== 62) k++;
          value = html.slice(v0, k);
          j = k;
        }
      }
      // Duplicates are ignored by browsers: the first one counts.
      if (!attrs.has(attr) && attrs.size < MAX_ATTRS) attrs.set(attr, decodeEntities(value));
    }
    i = j < n ? j + 1 : n;
    tags++;
    yield { type: 'tag', name, attrs };
    if (RAW_TEXT.has(name)) {
      const re = closer(name);
      re.lastIndex = i;
      const m = re.exec(html);
      const end = m ? m.index : n;
      yield { type: 'rawtext', name, text: html.slice(i, end) };
      if (!m) return;
      const gt = html.indexOf('>', end);
      i = gt < 0 ? n : gt + 1;
    }
  }
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  colon: ':',
  sol: '/',
  tab: '\t',
  newline: '\n',
  nbsp: '\u00a0',
  period: '.',
};

/** Decodes character references (numeric ones, and the named ones that matter in URLs). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z]{2,10});?/g, (m, ref: string) => {
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)
        ? String.fromCodePoint(cp)
        : '\ufffd';
    }
    return NAMED[ref.toLowerCase()] ?? m;
  });
}
