/**
 * Folding after decoding: Unicode compatibility (NFKC: full-width `＜ｓｃｒｉｐｔ＞`, small forms, ligatures)
 * plus a table of look-alikes of `< > ' " / \` that NFKC leaves alone; NUL and zero-width characters are
 * removed; every other control and Unicode space becomes a space, runs of spaces collapse to one, CR becomes
 * LF; the result is lower-cased. Non-ASCII letters (Hebrew, Arabic, CJK, Cyrillic, emoji) pass unchanged
 * apart from NFKC: they are ordinary input, not a signal.
 * Linear; the output is at most a small constant times the input (NFKC is skipped if it would blow up).
 */

const LOOKALIKE: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u02b9': "'",
  '\u02bc': "'",
  '\u02c8': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u02ba': '"',
  '\u2039': '<',
  '\u203a': '>',
  '\u2329': '<',
  '\u232a': '>',
  '\u27e8': '<',
  '\u27e9': '>',
  '\u3008': '<',
  '\u3009': '>',
  '\u02c2': '<',
  '\u02c3': '>',
  '\u2044': '/',
  '\u2215': '/',
  '\u29f8': '/',
  '\u2216': '\\',
  '\u29f9': '\\',
  '\u2024': '.',
  '\u00b4': "'",
  // IIS's %u "best fit" forms of / and \ used in traversal
  '\uefc8': '/',
  '\uf025': '\\',
};

export const LOOKALIKE_RE = new RegExp(`[${Object.keys(LOOKALIKE).join('')}]`, 'g');

export interface FoldResult {
  out: string;
  /** NFKC or the look-alike table changed something. */
  unicode: boolean;
  /** NUL characters were removed. */
  nul: boolean;
}

function needsFold(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126) return true;
    if (c === 32 && s.charCodeAt(i + 1) === 32) return true;
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * Whether NFKC can change something that matters: characters with compatibility forms live in Latin-1's
 * symbols, spacing modifiers and combining marks, and from U+2000 up (punctuation, letter-like symbols,
 * ligatures, full-width forms, mathematical letters). Letters of ordinary scripts (Latin, Greek, Cyrillic,
 * Hebrew, Arabic, CJK, Hangul) below or between those ranges are left as they are, which saves the cost of
 * NFKC on most non-English text.
 */
function needsNfkc(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xa0) continue;
    if (c <= 0xbf || (c >= 0x2b0 && c <= 0x36f)) return true;
    if (c < 0x2000) continue;
    if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af))
      continue;
    return true;
  }
  return false;
}

/** Anything beyond printable ASCII, or a double space: the slow path is needed. */
const NEEDS_SLOW = /[^\x20-\x7e]| {2}/;

export function fold(input: string, unicodeFolding = true): FoldResult {
  if (!needsFold(input)) return { out: input, unicode: false, nul: false };
  if (!NEEDS_SLOW.test(input)) return { out: input.toLowerCase(), unicode: false, nul: false };
  let s = input;
  let unicode = false;
  let hasNonAscii = false;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 127) {
      hasNonAscii = true;
      break;
    }
  }
  if (hasNonAscii && unicodeFolding && needsNfkc(s)) {
    // look-alikes first: NFKC would split some of them (″ into two primes)
    const mapped = s.replace(LOOKALIKE_RE, (ch) => LOOKALIKE[ch] ?? ch);
    if (mapped !== s) unicode = true;
    s = mapped;
    const k = s.normalize('NFKC');
    if (k.length <= s.length * 4 + 64) {
      if (k !== s) unicode = true;
      s = k;
    }
  }
  let nul = false;
  // pieces joined once at the end (string `+=` per replacement builds deep ropes on long inputs)
  const parts: string[] = [];
  let chunkStart = 0;
  let prevSpace = false;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 32 || c === 127) {
      if (c === 0) {
        nul = true;
        rep = '';
      } else if (c === 13) rep = s.charCodeAt(i + 1) === 10 ? '' : '\n';
      else if (c !== 10) rep = ' ';
    } else if (c === 32) {
      if (prevSpace) rep = '';
    } else if (c > 127) {
      if (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029)
        rep = ' ';
      else if (c === 0x202f || c === 0x205f || c === 0x3000 || c === 0x85 || c === 0xfffd) rep = ' ';
      else if ((c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff || c === 0xad) rep = '';
      else {
        const l = unicodeFolding ? LOOKALIKE[s[i]!] : undefined;
        if (l !== undefined) {
          rep = l;
          unicode = true;
        }
      }
    }
    if (rep !== undefined) {
      if (rep === ' ' && prevSpace) rep = '';
      if (i > chunkStart) parts.push(s.slice(chunkStart, i));
      if (rep) parts.push(rep);
      chunkStart = i + 1;
      if (rep === ' ') prevSpace = true;
      else if (rep !== '') prevSpace = false;
    } else prevSpace = c === 32;
  }
  if (chunkStart === 0) return { out: s.toLowerCase(), unicode, nul };
  parts.push(s.slice(chunkStart));
  return { out: parts.join('').toLowerCase(), unicode, nul };
}
