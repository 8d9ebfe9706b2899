/**
 * HTML character references, one round: named (`&lt;`, `&colon;`), decimal (`&#60;`) and hex (`&#x3c;`),
 * with the leniency of browsers: numeric references and the legacy named ones work without the `;`,
 * leading zeros are accepted. Linear; the output is never longer than the input.
 */

// The references that matter for detection (markup, quotes, separators, whitespace) plus common text ones.
const NAMED: Record<string, string> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  colon: ':',
  semi: ';',
  comma: ',',
  period: '.',
  sol: '/',
  bsol: '\\',
  lpar: '(',
  rpar: ')',
  lsqb: '[',
  rsqb: ']',
  lbrack: '[',
  rbrack: ']',
  lcub: '{',
  rcub: '}',
  lbrace: '{',
  rbrace: '}',
  excl: '!',
  quest: '?',
  num: '#',
  dollar: '$',
  percnt: '%',
  plus: '+',
  equals: '=',
  commat: '@',
  grave: '`',
  tab: '\t',
  newline: '\n',
  hat: '^',
  lowbar: '_',
  verbar: '|',
  vert: '|',
  ast: '*',
  midast: '*',
  hyphen: '-',
  dash: '-',
  lsquo: '\u2018',
  rsquo: '\u2019',
  ldquo: '\u201c',
  rdquo: '\u201d',
  lsaquo: '\u2039',
  rsaquo: '\u203a',
  laquo: '\u00ab',
  raquo: '\u00bb',
  ndash: '\u2013',
  mdash: '\u2014',
  hellip: '\u2026',
  copy: '\u00a9',
  reg: '\u00ae',
  trade: '\u2122',
  deg: '\u00b0',
  euro: '\u20ac',
  pound: '\u00a3',
  yen: '\u00a5',
  cent: '\u00a2',
  sect: '\u00a7',
  para: '\u00b6',
  middot: '\u00b7',
  times: '\u00d7',
  divide: '\u00f7',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  iexcl: '\u00a1',
  iquest: '\u00bf',
  aacute: 'á',
  eacute: 'é',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  agrave: 'à',
  egrave: 'è',
  ograve: 'ò',
  auml: 'ä',
  euml: 'ë',
  iuml: 'ï',
  ouml: 'ö',
  uuml: 'ü',
  acirc: 'â',
  ecirc: 'ê',
  ocirc: 'ô',
  ccedil: 'ç',
  ntilde: 'ñ',
  szlig: 'ß',
  aring: 'å',
  oslash: 'ø',
  aelig: 'æ',
  Aacute: 'Á',
  Eacute: 'É',
  Ntilde: 'Ñ',
  Ouml: 'Ö',
  Uuml: 'Ü',
  Auml: 'Ä',
};

// HTML's legacy references, which browsers also decode without the trailing semicolon.
const LEGACY = new Set([
  'lt',
  'gt',
  'amp',
  'quot',
  'nbsp',
  'copy',
  'reg',
  'deg',
  'times',
  'divide',
  'middot',
  'para',
  'sect',
  'shy',
  'pound',
  'yen',
  'cent',
  'iexcl',
  'iquest',
  'laquo',
  'raquo',
]);

const MAX_NAME = 10;
const MAX_DIGITS = 12;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function fromCodePointSafe(cp: number): string {
  if (cp === 0) return '\ufffd';
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(cp);
}

export function decodeEntities(s: string): { out: string; changed: boolean } {
  if (s.indexOf('&') < 0) return { out: s, changed: false };
  const parts: string[] = [];
  let last = 0;
  let changed = false;
  const n = s.length;
  let i = s.indexOf('&');
  while (i >= 0 && i < n) {
    let j = i + 1;
    let rep: string | undefined;
    if (s.charCodeAt(j) === 35 /* # */) {
      j++;
      const hex = (s.charCodeAt(j) | 0x20) === 120; /* x */
      if (hex) j++;
      const start = j;
      let cp = 0;
      while (j < n && j - start < MAX_DIGITS) {
        const c = s.charCodeAt(j);
        let d = -1;
        if (c >= 48 && c <= 57) d = c - 48;
        else if (hex && (c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
        if (d < 0) break;
        cp = Math.min(cp * (hex ? 16 : 10) + d, 0x110000);
        j++;
      }
      // Skip any further digits of an absurdly long reference (still linear: each char read once).
      while (j < n && (hex ? /* hex digit */ hexish(s.charCodeAt(j)) : isDigit(s.charCodeAt(j)))) j++;
      if (j > start) {
        rep = fromCodePointSafe(cp);
        if (s.charCodeAt(j) === 59 /* ; */) j++;
      }
    } else {
      const start = j;
      while (j < n && j - start < MAX_NAME && isAlnum(s.charCodeAt(j))) j++;
      const name = s.slice(start, j);
      if (s.charCodeAt(j) === 59) {
        const v = NAMED[name] ?? NAMED[name.toLowerCase()];
        if (v !== undefined) {
          rep = v;
          j++;
        }
      } else {
        // Without `;`: the longest legacy name that prefixes the run (browsers do the same).
        for (let k = Math.min(name.length, 6); k >= 2; k--) {
          const cand = name.slice(0, k);
          if (LEGACY.has(cand)) {
            rep = NAMED[cand];
            j = start + k;
            break;
          }
        }
      }
    }
    if (rep !== undefined) {
      parts.push(s.slice(last, i), rep);
      last = j;
      changed = true;
      i = s.indexOf('&', j);
    } else {
      i = s.indexOf('&', i + 1);
    }
  }
  if (!changed) return { out: s, changed: false };
  parts.push(s.slice(last));
  return { out: parts.join(''), changed: true };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function hexish(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}
