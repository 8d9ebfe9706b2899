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
  return (
    (c >= 0xff00 && c <= 0xffef) ||
    (c >= 0xfe50 && c <= 0xfe6f) ||
    (c >= 0x2018 && c <= 0x201f) ||
    c === 0x2032 ||
    c === 0x2033 ||
    c === 0x2039 ||
    c === 0x203a ||
    c === 0x2044 ||
    c === 0x2024 ||
    c === 0x2215 ||
    c === 0x2216 ||
    c === 0x2329 ||
    c === 0x232a ||
    c === 0x27e8 ||
    c === 0x27e9 ||
    c === 0x3008 ||
    c === 0x3009 ||
    c === 0x29f8 ||
    c === 0x29f9 ||
    (c >= 0x02b9 && c <= 0x02c8) ||
    c === 0x00b4 ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    c === 0xfeff ||
    c === 0x00ad ||
    c === 0xefc8 ||
    c === 0xfffd ||
    c === 0xf025 ||
    (c >= 0x80 && c <= 0x9f) ||
    (c >= 0xd800 && c <= 0xdfff) // astral characters: emoji are fine, but math letters fold to ASCII
  );
}

export const PREFILTER_WORDS = new RegExp(
  '\\b(?:union|select|waitfor|benchmark|xp_cmdshell|information_schema|having|procedure|outfile|dumpfile|shutdown|declare|exec|execute|drop|insert|delete|truncate|sleep|script|case|load|use)\\b' +
    '|\\b(?:order|group)\\s{1,8}by\\b|\\d\\s{1,8}(?:and|or|xor|div|like|rlike|regexp|between|not|is|in)\\b' +
    `|^\\s{0,8}(?:${COMMAND_NAMES.join('|')})\\b` +
    '|web-inf|boot\\.ini|win\\.ini|system\\.ini|global\\.asa|passwd|htaccess|php\\.ini|web\\.config',
  'i',
);

/** True when the value cannot carry an attack any detector or rule would see. */
export function isPlain(value: string): boolean {
  const n = value.length;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 128) {
      if (SUSPICIOUS[c] === 1) return false;
      if ((c === 46 || c === 45) && prev === c) return false; // .. and --
    } else if (suspiciousNonAscii(c)) return false;
    prev = c;
  }
  return !PREFILTER_WORDS.test(value);
}
