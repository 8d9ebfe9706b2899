/**
 * A lenient HTML tokenizer in the manner of a browser's: start tags with their attributes (quoted, unquoted,
 * `/` as a separator, a tag left open at the end of the input), end tags, comments, doctype/CDATA/processing
 * instructions, and the raw text of `<script>` and `<style>`. It is built for detection, not rendering: it
 * reports what a browser would treat as markup. Linear; at most MAX_TAGS tags and MAX_ATTRS attributes per tag.
 */

export interface Attr {
  name: string;
  value: string;
}

export interface Tag {
  name: string;
  attrs: Attr[];
  /** The raw text up to `</name` for script and style. */
  body?: string;
  /** The tag was still open at the end of the input. */
  open: boolean;
}

export interface HtmlTokens {
  tags: Tag[];
  /** Names of end tags (`</script` → `script`). */
  endTags: string[];
  /** Processing instructions (`<?xml-stylesheet …`, `<?import …`): their first 64 characters. */
  instructions: string[];
  /** HTML comments opened (`<!--`). */
  comments: number;
  /** `<!ENTITY` / `<!DOCTYPE … [` declarations (XXE). */
  declarations: string[];
  /** Comments that are IE conditional comments or SSI directives (`<!--#exec`). */
  specialComments: string[];
}

export const MAX_TAGS = 256;
const MAX_ATTRS = 64;
const CAP = 2048;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}
function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/**
 * The index after the next `<` that starts markup (`<a`, `</`, `<!`, `<?`), or the length. A small function
 * of its own: the scan over long runs (`<<<<…`) stays a tight loop.
 */
function nextMarkup(s: string, from: number): number {
  const n = s.length;
  for (let i = from; i < n - 1; i++) {
    if (s.charCodeAt(i) !== 60) continue;
    const c = s.charCodeAt(i + 1);
    if (c === 33 || c === 47 || c === 63 || isAlpha(c)) return i + 1;
  }
  return n;
}

/** `s` is lower-cased by the caller. `startInTag`: the value begins inside a start tag (attribute context). */
export function tokenizeHtml(s: string, startInTag = false): HtmlTokens {
  const out: HtmlTokens = {
    tags: [],
    endTags: [],
    instructions: [],
    comments: 0,
    declarations: [],
    specialComments: [],
  };
  const n = s.length;
  let i = 0;
  if (startInTag) i = readTag(s, 0, 'x', out);
  while (i < n && out.tags.length < MAX_TAGS) {
    i = nextMarkup(s, i);
    if (i >= n) break;
    const c = s.charCodeAt(i);
    if (c === 33 /* ! */) {
      if (s.startsWith('--', i + 1)) {
        out.comments++;
        const end = s.indexOf('-->', i + 3);
        const body = s.slice(i + 3, end < 0 ? Math.min(n, i + 3 + CAP) : Math.min(end, i + 3 + CAP));
        if (body.startsWith('[if') || body.startsWith('#')) out.specialComments.push(body);
        i = end < 0 ? n : end + 3;
        continue;
      }
      const end = s.indexOf('>', i);
      const decl = s.slice(i + 1, end < 0 ? Math.min(n, i + 1 + CAP) : Math.min(end, i + 1 + CAP));
      if (decl.startsWith('entity') || (decl.startsWith('doctype') && decl.includes('[')))
        out.declarations.push(decl);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 63 /* ? */ || c === 47 /* / */) {
      const end = s.indexOf('>', i);
      const body = s.slice(i + 1, end < 0 ? Math.min(n, i + 65) : Math.min(end, i + 65));
      if (c === 63) out.instructions.push(body);
      else if (out.endTags.length < MAX_TAGS) {
        let k = 0;
        while (k < body.length && !isSpace(body.charCodeAt(k)) && body.charCodeAt(k) !== 62) k++;
        out.endTags.push(body.slice(0, k));
      }
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (!isAlpha(c)) continue;
    let j = i;
    while (
      j < n &&
      !isSpace(s.charCodeAt(j)) &&
      s.charCodeAt(j) !== 47 &&
      s.charCodeAt(j) !== 62 &&
      j - i < 64
    )
      j++;
    const name = s.slice(i, j);
    i = readTag(s, j, name, out);
  }
  return out;
}

function readTag(s: string, from: number, name: string, out: HtmlTokens): number {
  const n = s.length;
  const tag: Tag = { name, attrs: [], open: true };
  out.tags.push(tag);
  let i = from;
  while (i < n) {
    let c = s.charCodeAt(i);
    while (i < n && (isSpace(c) || c === 47)) c = s.charCodeAt(++i);
    if (i >= n) break;
    if (c === 62 /* > */) {
      tag.open = false;
      i++;
      break;
    }
    // attribute name: up to whitespace, `/`, `>`, or `=` (a leading `=` belongs to the name)
    const ns = i;
    i++;
    while (i < n) {
      c = s.charCodeAt(i);
      if (isSpace(c) || c === 47 || c === 62 || c === 61) break;
      i++;
    }
    const attrName = s.slice(ns, Math.min(i, ns + 64));
    let k = i;
    while (k < n && isSpace(s.charCodeAt(k))) k++;
    let value = '';
    if (s.charCodeAt(k) === 61 /* = */) {
      k++;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      const q = s.charCodeAt(k);
      if (q === 34 || q === 39 || q === 96) {
        const end = s.indexOf(String.fromCharCode(q), k + 1);
        const stop = end < 0 ? n : end;
        value = s.slice(k + 1, Math.min(stop, k + 1 + CAP));
        i = end < 0 ? n : end + 1;
      } else {
        let e = k;
        while (e < n && !isSpace(s.charCodeAt(e)) && s.charCodeAt(e) !== 62) e++;
        value = s.slice(k, Math.min(e, k + CAP));
        i = e;
      }
    }
    if (tag.attrs.length < MAX_ATTRS) tag.attrs.push({ name: attrName, value });
  }
  if (
    !tag.open &&
    (name === 'script' || name === 'style' || name === 'xmp' || name === 'textarea' || name === 'title')
  ) {
    const close = s.indexOf('</' + name, i);
    const end = close < 0 ? n : close;
    tag.body = s.slice(i, Math.min(end, i + CAP));
    i = end;
  }
  return i;
}
