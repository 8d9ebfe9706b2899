/**
 * The prefilter: most submitted values (names, numbers, dates, ordinary text in any script) cannot carry an
 * attack, and are let through without normalisation. A value is plain when it has no character that any
 * detector needs (quotes, markup, separators, escapes, `%`, `/`, `=`, control characters, the look-alikes the
 * normaliser folds, zero-width characters), no `..` or `--`, and none of the few words that form attacks
 * without punctuation (`1 union select 1`, `sleep 5`, `WEB-INF`).
 * One pass over the value plus one linear regex test.
 */
import { COMMAND_NAMES } from './detectors/shell.js';

const SUSPICIOUS = new Uint8Array(128);
for (const c of '\'"<>;|&$`\\(){}[]=%#*/^~\n\r\t\v\f') SUSPICIOUS[c.charCodeAt(0)] = 1;
for (let c = 0; c < 32; c++) SUSPICIOUS[c] = 1;
SUSPICIOUS[127] = 1;

function suspiciousNonAscii(c: number): boolean {
  if (c < 0x2000) {
    return (c >= 0x80 && c <= 0x9f) || c === 0xad || c === 0xb4 || (c >= 0x02b9 && c <= 0x02c8);
  }
  return (
    (c >= 0xff00 && c <= 0xffef) ||
    (c >= 0xfe50 && c <= 0xfe6f) ||
    (c >= 0x2018 && c <= 0x201f) ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2024 ||
    c === 0x2032 ||
    c === 0x2033 ||
    c === 0x2039 ||
    c === 0x203a ||
    c === 0x2044 ||
    c === 0x2060 ||
    c === 0x2215 ||
    c === 0x2216 ||
    c === 0x2329 ||
    c === 0x232a ||
    c === 0x27e8 ||
    c === 0x27e9 ||
    c === 0x29f8 ||
    c === 0x29f9 ||
    c === 0x3008 ||
    c === 0x3009 ||
    c === 0xefc8 ||
    c === 0xf025 ||
    c === 0xfeff ||
    c === 0xfffd ||
    // astral characters: emoji are fine, but math letters fold to ASCII
    (c >= 0xd800 && c <= 0xdfff)
  );
}

/** Words that form attacks without punctuation (`1 union select 1`, `1 order by 3`, `WEB-INF`). */
export const PREFILTER_WORDS =
  /\b(?:union|select|waitfor|benchmark|xp_cmdshell|information_schema|having|procedure|outfile|dumpfile|shutdown|declare|exec|execute|drop|insert|delete|truncate|sleep|script|case|load|use)\b|\b(?:order|group)\s{1,8}by\b|\d\s{1,8}(?:and|or|xor|div|like|rlike|regexp|between|not|is|in)\b|web-inf|boot\.ini|win\.ini|system\.ini|global\.asa|passwd|htaccess|php\.ini|web\.config/i;

const COMMANDS = new Set(COMMAND_NAMES);

/** The value starts (after ≤ 8 spaces) with the name of a command. */
export function startsWithCommand(value: string): boolean {
  let i = 0;
  while (i < 8 && value.charCodeAt(i) === 32) i++;
  let j = i;
  for (; j < value.length && j - i <= 16; j++) {
    const c = value.charCodeAt(j) | 0x20;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57 && j > i) || c === 0x7f /* _ */)) break;
  }
  if (j === i || j - i > 16) return false;
  // the word must end there (`Verónica` does not start with `ver`)
  if (j < value.length && isLetter(value.charCodeAt(j))) return false;
  return COMMANDS.has(value.slice(i, j).toLowerCase());
}

function isLetter(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 0xc0 && c !== 0xd7 && c !== 0xf7 && !(c >= 0x2000 && c <= 0x2bff))
  );
}
function isAlnum(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57);
}
function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

/** The word after position i (skipping spaces) is a command name. */
function commandAfter(value: string, i: number): boolean {
  let j = i;
  while (j < value.length && j - i < 8 && value.charCodeAt(j) === 32) j++;
  return startsWithCommand(value.slice(j, j + 20));
}

/** A bare http(s) URL without query, fragment or dot segments (a website field). */
const PLAIN_URL =
  /^https?:\/\/[a-z0-9\u00c0-\u024f\u0370-\u04ff\u4e00-\u9fff-]+(?:\.[a-z0-9\u00c0-\u024f\u0370-\u04ff\u4e00-\u9fff-]+)*(?::\d{1,5})?(?:\/[\w~-]+(?:\.[\w~-]+)*)*\/?$/i;

/**
 * Punctuation that is harmless in its context: one apostrophe inside a word (O'Brien), parentheses around
 * digits (phone numbers), a slash between words (c/ caridad s/n), ` & ` or `; ` not followed by a command,
 * `%` not followed by hex digits (50% off), `$` before a digit, `#` before a digit.
 */
function allowed(value: string, i: number, c: number, apostrophes: number): number {
  const prev = i > 0 ? value.charCodeAt(i - 1) : -1;
  const next = i + 1 < value.length ? value.charCodeAt(i + 1) : -1;
  switch (c) {
    case 39: // '
      return apostrophes === 0 && isLetter(prev) && isLetter(next) ? 1 : 0;
    case 40: {
      // (digits) → skip to the closing parenthesis
      let j = i + 1;
      while (
        j < value.length &&
        j - i < 16 &&
        ((value.charCodeAt(j) >= 48 && value.charCodeAt(j) <= 57) || value.charCodeAt(j) === 32)
      )
        j++;
      return value.charCodeAt(j) === 41 && j > i + 1 ? j - i + 1 : 0;
    }
    case 47: // /
      return i > 0 &&
        (isAlnum(prev) || prev === 32) &&
        (isAlnum(next) || next === 32) &&
        !(prev === 32 && next === 32)
        ? 1
        : 0;
    case 38: // &
    case 59: // ;
      return (c === 59 ? isAlnum(prev) : prev === 32) && next === 32 && !commandAfter(value, i + 1) ? 1 : 0;
    case 37: // %
      return (next === -1 || !(isHex(next) || (next | 0x20) === 117)) &&
        !(i + 2 < value.length && isHex(value.charCodeAt(i + 2)) && isHex(next))
        ? 1
        : 0;
    case 36: // $
    case 35: // #
      return next >= 48 && next <= 57 ? 1 : 0;
    default:
      return 0;
  }
}

/** True when the value cannot carry an attack any detector or rule would see. */
export function isPlain(value: string): boolean {
  const n = value.length;
  let prev = 0;
  let apostrophes = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      if (SUSPICIOUS[c] === 1) {
        if (c === 47 && value.charCodeAt(0) === 104 && PLAIN_URL.test(value))
          return !PREFILTER_WORDS.test(value);
        const skip = allowed(value, i, c, apostrophes);
        if (skip === 0) return false;
        if (c === 39) apostrophes++;
        i += skip - 1;
        prev = value.charCodeAt(i);
        continue;
      }
      if ((c === 46 || c === 45) && prev === c) return false; // .. and --
    } else if (suspiciousNonAscii(c)) return false;
    prev = c;
  }
  return !startsWithCommand(value) && !PREFILTER_WORDS.test(value);
}
