/**
 * A small SQL tokenizer covering the MySQL/MariaDB, PostgreSQL, MSSQL, Oracle and SQLite lexical forms an
 * injection uses: quoted strings with both escape styles, numbers (incl. hex, binary, exponent), `@var` and
 * `@@sysvar`, backtick and bracket identifiers, `--`/`#` line comments, block comments and MySQL's
 * executable `/*! … *\/` comments (whose body is tokenized as code), multi-character operators.
 *
 * The idea of judging a value by the token types it produces, in the three contexts "as is", "inside '…'"
 * and "inside \"…\"", comes from libinjection (Nick Galbreath, BSD-3-Clause); the tokenizer, the word
 * tables and the grammar in sql.ts are our own.
 *
 * Linear: each character is read a bounded number of times; the token count is capped (MAX_TOKENS).
 */

/** Token types (a plain object: read once into a local binding by the modules that use it). */
export const T = {
  Str: 1,
  Num: 2,
  Var: 3,
  Word: 4,
  Kw: 5,
  Union: 6,
  Stmt: 7,
  Logic: 8,
  Op: 9,
  Not: 10,
  Func: 11,
  Lit: 12,
  LParen: 13,
  RParen: 14,
  Comma: 15,
  Semi: 16,
  Dot: 17,
  Comment: 18,
  Unknown: 19,
} as const;
export type TokType = (typeof T)[keyof typeof T];

export interface Token {
  t: TokType;
  /** Lower-case text (for strings: the body without quotes; capped). */
  v: string;
  /** Strings: the closing quote was found. Comments: it is a block comment (`/* *\/`). */
  closed: boolean;
  /** A comparison operator (=, <, >, <>, !=, like, rlike, regexp, in, is, between, sounds). */
  cmp?: boolean;
  /** Strings: the quote character's code. */
  q?: number;
}

export const MAX_TOKENS = 2048;

/** Tokens, with counts of the comments that were dropped from the stream as whitespace. */
export interface Tokens extends Array<Token> {
  /** Closed block comments between tokens (`union/**\/select`). */
  inlineComments?: number;
  /** MySQL executable comments (`/*!50000select*\/`). */
  execComments?: number;
}

const LOGIC = new Set(['and', 'or', 'xor']);
const OP_WORDS = new Set([
  'like',
  'rlike',
  'regexp',
  'between',
  'in',
  'is',
  'div',
  'mod',
  'sounds',
  'collate',
  'escape',
  'glob',
  'ilike',
  'similar',
  'member',
]);
const CMP_WORDS = new Set([
  'like',
  'rlike',
  'regexp',
  'between',
  'in',
  'is',
  'sounds',
  'glob',
  'ilike',
  'similar',
]);
const LITERALS = new Set([
  'null',
  'true',
  'false',
  'unknown',
  'current_user',
  'current_date',
  'current_time',
  'current_timestamp',
  'localtime',
  'sysdate',
  'session_user',
  'system_user',
  'default',
]);
const STATEMENTS = new Set([
  'select',
  'insert',
  'update',
  'delete',
  'drop',
  'create',
  'alter',
  'truncate',
  'exec',
  'execute',
  'declare',
  'shutdown',
  'grant',
  'revoke',
  'rename',
  'merge',
  'call',
  'handler',
  'load',
  'set',
  'waitfor',
  'backup',
  'restore',
  'show',
  'describe',
  'prepare',
  'deallocate',
  'begin',
  'commit',
  'rollback',
  'use',
  'replace',
  'lock',
  'unlock',
  'kill',
  'print',
  'do',
  'values',
  'with',
  'copy',
  'pragma',
  'attach',
  'analyze',
  'explain',
]);
const KEYWORDS = new Set([
  'from',
  'where',
  'group',
  'order',
  'by',
  'having',
  'limit',
  'offset',
  'into',
  'procedure',
  'as',
  'on',
  'join',
  'inner',
  'outer',
  'cross',
  'natural',
  'straight_join',
  'using',
  'top',
  'distinct',
  'distinctrow',
  'all',
  'case',
  'when',
  'then',
  'else',
  'end',
  'exists',
  'any',
  'some',
  'asc',
  'desc',
  'for',
  'table',
  'outfile',
  'dumpfile',
  'infile',
  'delay',
  'returning',
  'fetch',
  'rows',
  'only',
  'over',
  'partition',
  'window',
  'binary',
  'interval',
  'escape',
  'elseif',
  'if',
  'while',
  'loop',
  'goto',
  'return',
  'returns',
  'database',
  'primary',
  'foreign',
  'references',
  'unique',
  'character',
  'charset',
  'collation',
  'separator',
  'nowait',
  'share',
  'mode',
  'time',
  'zone',
  'cast',
  'convert',
  'left',
  'right',
  'full',
  'union_all',
  'minus',
  'intersect',
  'except',
  'sql_calc_found_rows',
  'high_priority',
  'low_priority',
  'ignore',
  'duplicate',
  'analyse',
  'nocount',
  'off',
]);

/** Words that stay keywords when followed by `(` (everything else becomes a function name). */
const KEEP_BEFORE_PAREN = new Set([
  'select',
  'union',
  'values',
  'in',
  'exists',
  'any',
  'some',
  'all',
  'not',
  'and',
  'or',
  'xor',
  'from',
  'where',
  'on',
  'using',
  'over',
  'as',
  'when',
  'then',
  'else',
  'is',
  'like',
  'between',
  'into',
  'by',
  'having',
  'limit',
  'with',
  'table',
  'distinct',
  'case',
  'rlike',
  'regexp',
  'div',
  'mod',
  'return',
  'exec',
  'execute',
  'procedure',
  'top',
  'offset',
  'end',
  'do',
  'call',
  'set',
  'declare',
  'elseif',
]);

/** Every classified word in one map (one lookup per word in the hot path). */
const WORD_TYPES = new Map<string, TokType>();
for (const w of KEYWORDS) WORD_TYPES.set(w, T.Kw);
for (const w of STATEMENTS) WORD_TYPES.set(w, T.Stmt);
WORD_TYPES.set('union', T.Union);
for (const w of LITERALS) WORD_TYPES.set(w, T.Lit);
for (const w of OP_WORDS) WORD_TYPES.set(w, T.Op);
WORD_TYPES.set('not', T.Not);
for (const w of LOGIC) WORD_TYPES.set(w, T.Logic);

export function classifyWord(w: string): TokType {
  return WORD_TYPES.get(w) ?? T.Word;
}

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 36 ||
    (c >= 65 && c <= 90) ||
    (c > 127 && c !== 0xa0)
  );
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0;
}

const V_CAP = 64;

/**
 * Tokenizes `s` (already lower-cased). With `quote`, tokenizing starts inside a string opened by that quote
 * (the context the application puts the value in).
 */
export function tokenize(s: string, quote?: '"' | "'" | '`'): Tokens {
  const out: Tokens = [];
  let inline = 0;
  let exec = 0;
  const n = s.length;
  let i = 0;
  if (quote) i = readString(s, 0, quote.charCodeAt(0), out);
  // Inside an executable comment (/*! … */) the closing */ ends it, not a new comment.
  let inExec = false;
  while (i < n && out.length < MAX_TOKENS) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // strings
    if (c === 39 || c === 34) {
      i = readString(s, i + 1, c, out);
      continue;
    }
    if (c === 96 /* ` */) {
      const end = s.indexOf('`', i + 1);
      const stop = end < 0 ? n : end;
      tok(out, T.Word, s.slice(i + 1, Math.min(stop, i + 1 + V_CAP)), end >= 0);
      i = end < 0 ? n : end + 1;
      continue;
    }
    // comments
    if (c === 35 /* # */ || (c === 45 /* - */ && s.charCodeAt(i + 1) === 45)) {
      // A line comment that reaches the end cuts the query off; one that ends in a newline is whitespace.
      const end = s.indexOf('\n', i);
      if (end < 0) tok(out, T.Comment, c === 35 ? '#' : '--', false);
      else inline++;
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === 47 /* / */ && s.charCodeAt(i + 1) === 42 /* * */) {
      if (s.charCodeAt(i + 2) === 33 /* ! */) {
        // MySQL executable comment: its body is code.
        let j = i + 3;
        while (j < n && j < i + 9 && isDigit(s.charCodeAt(j))) j++;
        exec++;
        inExec = true;
        i = j;
        continue;
      }
      const end = s.indexOf('*/', i + 2);
      if (end < 0) tok(out, T.Comment, '/*', false);
      else inline++;
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === 42 && s.charCodeAt(i + 1) === 47 && inExec) {
      inExec = false;
      i += 2;
      continue;
    }
    // numbers
    if (isDigit(c) || (c === 46 /* . */ && isDigit(s.charCodeAt(i + 1)))) {
      i = readNumber(s, i, out);
      continue;
    }
    // MySQL's \N (NULL)
    if (c === 92 /* \ */ && s.charCodeAt(i + 1) === 110 && !isWordChar(s.charCodeAt(i + 2))) {
      tok(out, T.Lit, 'null');
      i += 2;
      continue;
    }
    // variables
    if (c === 64 /* @ */) {
      const c1 = s.charCodeAt(i + 1);
      if (!(isWordChar(c1) || c1 === 64 || c1 === 39 || c1 === 34 || c1 === 96)) {
        tok(out, T.Unknown, '@');
        i++;
        continue;
      }
      let j = i + 1;
      if (s.charCodeAt(j) === 64) j++;
      const q = s.charCodeAt(j);
      if (q === 39 || q === 34 || q === 96) {
        const end = s.indexOf(String.fromCharCode(q), j + 1);
        j = end < 0 ? n : end + 1;
      } else while (j < n && (isWordChar(s.charCodeAt(j)) || s.charCodeAt(j) === 46)) j++;
      tok(out, T.Var, s.slice(i, Math.min(j, i + V_CAP)));
      i = j;
      continue;
    }
    // words
    if (isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(s.charCodeAt(j))) j++;
      const w = s.slice(i, j);
      // prefixed strings: n'…', x'…', b'…', e'…', _utf8'…'
      const q = s.charCodeAt(j);
      if (
        (q === 39 || q === 34) &&
        (w === 'n' || w === 'x' || w === 'b' || w === 'e' || w === 'q' || w.startsWith('_'))
      ) {
        i = readString(s, j + 1, q, out);
        continue;
      }
      let t: TokType = classifyWord(w);
      if (t !== T.Logic && t !== T.Not) {
        // a word followed by `(` (possibly after spaces or inline comments) is a function call
        let k = j;
        while (k < n && k < j + 64) {
          const d = s.charCodeAt(k);
          if (isSpace(d)) k++;
          else if (d === 47 && s.charCodeAt(k + 1) === 42) {
            const e = s.slice(k + 2, j + 64).indexOf('*/');
            if (e < 0) break;
            k = k + 2 + e + 2;
          } else break;
        }
        if (s.charCodeAt(k) === 40 && !KEEP_BEFORE_PAREN.has(w)) t = T.Func;
      }
      tok(out, t, w.length > V_CAP ? w.slice(0, V_CAP) : w, true, t === T.Op && CMP_WORDS.has(w));
      i = j;
      continue;
    }
    if (c === 91 /* [ */) {
      // MSSQL [identifier]
      const rel = s.slice(i + 1, i + 130).indexOf(']');
      const end = rel < 0 ? -1 : i + 1 + rel;
      if (end > 0) {
        tok(out, T.Word, s.slice(i + 1, end));
        i = end + 1;
        continue;
      }
      tok(out, T.Unknown, '[');
      i++;
      continue;
    }
    switch (c) {
      case 40:
        tok(out, T.LParen, '(');
        i++;
        continue;
      case 41:
        tok(out, T.RParen, ')');
        i++;
        continue;
      case 44:
        tok(out, T.Comma, ',');
        i++;
        continue;
      case 59:
        tok(out, T.Semi, ';');
        i++;
        continue;
      case 46:
        tok(out, T.Dot, '.');
        i++;
        continue;
    }
    // operators
    const two = s.slice(i, i + 2);
    if (two === '||' || two === '&&') {
      tok(out, T.Logic, two);
      i += 2;
      continue;
    }
    if (s.startsWith('<=>', i)) {
      tok(out, T.Op, '<=>', true, true);
      i += 3;
      continue;
    }
    if (two === '<>' || two === '!=' || two === '<=' || two === '>=' || two === '!<' || two === '!>') {
      tok(out, T.Op, two, true, true);
      i += 2;
      continue;
    }
    if (two === '<<' || two === '>>' || two === '::' || two === ':=' || two === '->' || two === '=>') {
      tok(out, T.Op, two);
      i += 2;
      continue;
    }
    if (c === 61 || c === 60 || c === 62) {
      tok(out, T.Op, s[i]!, true, true);
      i++;
      continue;
    }
    if (c === 33 /* ! */) {
      tok(out, T.Not, '!');
      i++;
      continue;
    }
    if (c === 38 /* & */) {
      // a single `&` is far more often a query-string separator than SQL's bitwise and
      tok(out, T.Unknown, '&');
      i++;
      continue;
    }
    if (c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 94 || c === 124 || c === 126) {
      tok(out, T.Op, s[i]!);
      i++;
      continue;
    }
    tok(out, T.Unknown, s[i]!);
    i++;
  }
  if (inline) out.inlineComments = inline;
  if (exec) out.execComments = exec;
  return out;
}

/** Appends a token (a module-level helper: no closure per call in the hot path). */
function tok(out: Token[], t: TokType, v: string, closed = true, cmp = false): void {
  if (cmp) out.push({ t, v, closed, cmp });
  else out.push({ t, v, closed });
}

function readString(s: string, from: number, q: number, out: Token[]): number {
  const n = s.length;
  let j = from;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 92 /* \ */ && q !== 96) {
      j += 2;
      continue;
    }
    if (c === q) {
      if (s.charCodeAt(j + 1) === q) {
        j += 2; // doubled quote
        continue;
      }
      out.push({ t: T.Str, v: s.slice(from, Math.min(j, from + V_CAP)), closed: true, q });
      return j + 1;
    }
    j++;
  }
  out.push({ t: T.Str, v: s.slice(from, Math.min(n, from + V_CAP)), closed: false, q });
  return n;
}

function readNumber(s: string, i: number, out: Token[]): number {
  const n = s.length;
  let j = i;
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) === 120 || s.charCodeAt(i + 1) === 98)) {
    // 0x… / 0b…
    j = i + 2;
    while (j < n && /* hex digit */ isHex(s.charCodeAt(j))) j++;
    if (j > i + 2) {
      tok(out, T.Num, s.slice(i, Math.min(j, i + V_CAP)));
      return j;
    }
    j = i;
  }
  while (j < n && isDigit(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) === 95 /* _ */) {
    // MySQL identifiers may begin with digits: 1108_519_no
    while (j < n && isWordChar(s.charCodeAt(j))) j++;
    tok(out, T.Word, s.slice(i, Math.min(j, i + V_CAP)));
    return j;
  }
  if (s.charCodeAt(j) === 46) {
    j++;
    while (j < n && isDigit(s.charCodeAt(j))) j++;
  }
  const e = s.charCodeAt(j);
  if (e === 101 /* e */) {
    let k = j + 1;
    if (s.charCodeAt(k) === 43 || s.charCodeAt(k) === 45) k++;
    if (isDigit(s.charCodeAt(k))) {
      while (k < n && isDigit(s.charCodeAt(k))) k++;
      j = k;
    }
  }
  tok(out, T.Num, s.slice(i, Math.min(j, i + V_CAP)));
  return j;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102);
}
