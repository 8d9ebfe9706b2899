/**
 * Escaping for every output format. Report text comes partly from hostile servers (headers, bodies,
 * file names), so each format escapes its own metacharacters, and characters that could mislead a
 * reader or a terminal (C0/C1 controls, DEL, bidi overrides, lone surrogates) are shown as visible
 * `\u{…}` escapes instead of being passed through.
 */
const INVISIBLE =
  /[\0-\x08\x0B-\x1F\x7F-\x9F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces controls (except tab and newline) and bidi/format characters with `\u{hex}`. */
export function showControls(s: string): string {
  return s.replace(INVISIBLE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Same, and newlines and tabs too: for values that must stay on one line. */
export function oneLine(s: string): string {
  return showControls(s).replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return showControls(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Text for XML 1.0 element content (controls XML forbids become visible escapes). */
export function escapeXmlText(s: string): string {
  return showControls(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a double- or single-quoted XML attribute value; tabs and newlines survive as references. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}
