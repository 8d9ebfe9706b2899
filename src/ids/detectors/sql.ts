/**
 * The SQL injection detector. It tokenizes the value in the contexts an application puts it in (as a number
 * or bare word, inside '…', inside "…") and walks the tokens with a small SQL grammar: an injection breaks out
 * of its context and then reads as valid SQL to the end (or to a comment that cuts off the rest), while text
 * that merely contains quotes or SQL words breaks the grammar at once (`O'Brien and Sons`: a string followed
 * by a bare word; `2 OR 4 METAL BUTTONS`: two bare words in a row).
 *
 * It reports feature ids (see rules/detectors.yaml for their impact and wording); the engine turns them into
 * hits. Linear: a bounded number of passes over at most MAX_TOKENS tokens per context.
 */
import type { Token, Tokens } from './sql-tokens.js';
import type { TokType } from './sql-tokens.js';
import { T as TOKEN_TYPES, tokenize } from './sql-tokens.js';

// A local binding: reading an imported binding in the hot loop costs a getter call under some loaders.
const T = TOKEN_TYPES;

export type Emit = (feature: string) => void;

/** Functions that delay, read files, run commands or raise data-bearing errors. */
const DANGER_FUNCS = new Map<string, string>([
  ['sleep', 'sqli.time-delay'],
  ['benchmark', 'sqli.time-delay'],
  ['pg_sleep', 'sqli.time-delay'],
  ['dbms_lock.sleep', 'sqli.time-delay'],
  ['dbms_pipe.receive_message', 'sqli.time-delay'],
  ['randomblob', 'sqli.time-delay'],
  ['load_file', 'sqli.file-access'],
  ['pg_read_file', 'sqli.file-access'],
  ['pg_ls_dir', 'sqli.file-access'],
  ['lo_import', 'sqli.file-access'],
  ['utl_file.fopen', 'sqli.file-access'],
  ['xp_cmdshell', 'sqli.exec'],
  ['sp_executesql', 'sqli.exec'],
  ['sp_oacreate', 'sqli.exec'],
  ['openrowset', 'sqli.exec'],
  ['opendatasource', 'sqli.exec'],
  ['dblink', 'sqli.exec'],
  ['utl_http.request', 'sqli.exec'],
  ['utl_inaddr.get_host_address', 'sqli.exec'],
  ['extractvalue', 'sqli.error-based'],
  ['updatexml', 'sqli.error-based'],
  ['name_const', 'sqli.error-based'],
  ['geometrycollection', 'sqli.error-based'],
  ['multipoint', 'sqli.error-based'],
  ['polygon', 'sqli.error-based'],
  ['linestring', 'sqli.error-based'],
  ['gtid_subset', 'sqli.error-based'],
  ['json_keys', 'sqli.error-based'],
  ['xmltype', 'sqli.error-based'],
  ['ctxsys.drithsx.sn', 'sqli.error-based'],
  ['dbms_xdb_version.checkin', 'sqli.error-based'],
]);

/** Functions SQL injections use to build and probe values. */
const SQL_FUNCS = new Set([
  'char',
  'chr',
  'nchar',
  'ascii',
  'ord',
  'hex',
  'unhex',
  'bin',
  'conv',
  'concat',
  'concat_ws',
  'group_concat',
  'string_agg',
  'listagg',
  'substring',
  'substr',
  'mid',
  'left',
  'right',
  'length',
  'len',
  'lower',
  'upper',
  'version',
  'user',
  'current_user',
  'system_user',
  'session_user',
  'database',
  'schema',
  'db_name',
  'user_name',
  'suser_name',
  'suser_sname',
  'host_name',
  'count',
  'cast',
  'convert',
  'if',
  'ifnull',
  'isnull',
  'nullif',
  'coalesce',
  'iif',
  'elt',
  'make_set',
  'field',
  'instr',
  'locate',
  'position',
  'reverse',
  'repeat',
  'replicate',
  'space',
  'lpad',
  'rpad',
  'trim',
  'md5',
  'sha1',
  'sha2',
  'aes_encrypt',
  'aes_decrypt',
  'encode',
  'decode',
  'compress',
  'uncompress',
  'floor',
  'rand',
  'exp',
  'abs',
  'sign',
  'ceil',
  'round',
  'row',
  'sum',
  'min',
  'max',
  'avg',
  'json_extract',
  'regexp_substring',
  'regexp_like',
  'crypt_key',
  'case',
  'sqlite_version',
  'typeof',
  'unicode',
  'quote',
  'glob',
  'printf',
  'to_char',
  'to_number',
  'sys_context',
  'generate_series',
  'pg_typeof',
  'current_database',
  'quote_ident',
  'bit_length',
  'char_length',
  'octet_length',
  'strcmp',
  'soundex',
  'difference',
  'str',
  'stuff',
  'oct',
  'weight_string',
  'benchmark',
  'sleep',
  'connection_id',
  'last_insert_id',
  'found_rows',
  'row_count',
  'uuid',
  'inet_aton',
  'inet_ntoa',
  'from_base64',
  'to_base64',
  'load_file',
  'extractvalue',
  'updatexml',
  'name_const',
  'pg_sleep',
  'waitfor',
  'utl_inaddr.get_host_name',
  'greatest',
  'least',
  'charindex',
  'patindex',
  'datalength',
  'object_id',
  'object_name',
  'col_name',
  'has_dbaccess',
  'is_srvrolemember',
  'is_member',
  'db_id',
  'file_id',
  'updatexml',
  'export_set',
  'insert',
  'coercibility',
  'charset',
  'collation',
  'ord',
  'mid',
  'lcase',
  'ucase',
  'version',
  'schema_name',
]);

/** Table and schema names that only database probing touches. */
const SCHEMA_WORDS = [
  'information_schema',
  'sysobjects',
  'syscolumns',
  'sysdatabases',
  'sysusers',
  'sys.tables',
  'sys.objects',
  'sys.columns',
  'sys.databases',
  'mysql.user',
  'mysql.db',
  'pg_shadow',
  'pg_user',
  'pg_database',
  'pg_catalog',
  'pg_tables',
  'all_tables',
  'user_tables',
  'all_users',
  'all_tab_columns',
  'user_tab_columns',
  'dba_users',
  'sqlite_master',
  'sqlite_schema',
  'msysobjects',
  'msysaccessobjects',
  'rdb$',
  'sys.sql_logins',
  'master..',
  'v$version',
];

/** Words that name a dangerous procedure or trick wherever they appear. */
const WORD_FEATURES = new Map<string, string>([
  ['xp_cmdshell', 'sqli.exec'],
  ['sp_executesql', 'sqli.exec'],
  ['sp_oacreate', 'sqli.exec'],
  ['sp_oamethod', 'sqli.exec'],
  ['sp_makewebtask', 'sqli.exec'],
  ['xp_regread', 'sqli.exec'],
  ['xp_regwrite', 'sqli.exec'],
  ['xp_dirtree', 'sqli.exec'],
  ['xp_fileexist', 'sqli.exec'],
  ['xp_servicecontrol', 'sqli.exec'],
  ['sp_addlogin', 'sqli.exec'],
  ['sp_addsrvrolemember', 'sqli.exec'],
  ['sp_configure', 'sqli.exec'],
  ['sp_password', 'sqli.schema-probe'],
  ['pg_sleep', 'sqli.time-delay'],
]);

const enum S {
  /** expecting an operand (a value, a function call, an opening parenthesis, a sub-select) */
  Operand,
  /** after an operand: expecting an operator, a clause keyword, `)`, `,`, `;` or the end */
  After,
  /** after `;`: expecting a statement */
  Stmt,
}

interface Walk {
  /** Tokens consumed while the grammar held. */
  valid: number;
  /** The grammar held to the end (a line comment ends the value). */
  complete: boolean;
  logic: number;
  cmp: number;
  /** comparisons written with symbols (=, <, >, <>, !=) rather than words (like, is, in) */
  symbolCmp: number;
  /** other operators (arithmetic, bitwise, DIV, concatenation) */
  ops: number;
  funcs: number;
  knownFuncs: number;
  dangerFuncs: string[];
  /** if(), iif(), elt(), make_set(), CASE WHEN: value-dependent answers (boolean inference) */
  conditional: boolean;
  kw: number;
  vars: number;
  unionSelect: boolean;
  selectFrom: boolean;
  subquery: boolean;
  stacked: boolean;
  orderBy: boolean;
  having: boolean;
  into: boolean;
  endComment: boolean;
  underflow: number;
  parens: number;
  maxDepth: number;
  operands: number;
  /** Every operand was a number or a variable. */
  numericOnly: boolean;
  /** The value began with a statement (`delete from …`, `exec(…)`). */
  leadStmt: boolean;
}

function newWalk(): Walk {
  return {
    valid: 0,
    complete: false,
    logic: 0,
    cmp: 0,
    symbolCmp: 0,
    ops: 0,
    funcs: 0,
    knownFuncs: 0,
    dangerFuncs: [],
    conditional: false,
    kw: 0,
    vars: 0,
    unionSelect: false,
    selectFrom: false,
    subquery: false,
    stacked: false,
    orderBy: false,
    having: false,
    into: false,
    endComment: false,
    underflow: 0,
    parens: 0,
    maxDepth: 0,
    operands: 0,
    numericOnly: true,
    leadStmt: false,
  };
}

/** Keywords that may stand where an operand is expected (they lead into one). */
const OPERAND_KW = new Set([
  'when',
  'distinct',
  'distinctrow',
  'all',
  'any',
  'some',
  'binary',
  'interval',
  'exists',
  'case',
  'high_priority',
  'sql_calc_found_rows',
  'straight_join',
]);
/** Keywords that may follow an operand (clauses, joins, CASE parts). */
const CLAUSE_KW = new Set([
  'from',
  'where',
  'group',
  'order',
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
  'left',
  'right',
  'full',
  'using',
  'when',
  'then',
  'else',
  'end',
  'asc',
  'desc',
  'for',
  'escape',
  'separator',
  'mode',
  'rows',
  'only',
  'nowait',
  'window',
  'over',
  'returning',
  'fetch',
  'minus',
  'intersect',
  'except',
  'collate',
  'character',
  'elseif',
  'by',
]);
/** Keywords after which another clause keyword or an operator follows, not an operand. */
const AFTER_KW_TO_AFTER = new Set(['end', 'asc', 'desc', 'nowait', 'only', 'rows', 'mode']);
const CONDITIONAL_FUNCS = new Set([
  'if',
  'iif',
  'elt',
  'make_set',
  'ifnull',
  'nullif',
  'decode',
  'field',
  'choose',
]);
/** What must follow a statement keyword for it to be a statement and not an English word. */
const DDL_OBJECTS = new Set([
  'table',
  'database',
  'function',
  'procedure',
  'view',
  'user',
  'index',
  'trigger',
  'schema',
  'login',
  'event',
  'temporary',
]);

/** Whether toks[i] (a statement keyword) starts a plausible statement; returns the index of its last keyword. */
function statementAt(toks: Token[], i: number): number {
  const v = toks[i]!.v;
  const nx = toks[i + 1];
  const nv = nx?.v;
  switch (v) {
    case 'select':
      return nx && nx.t !== T.Kw ? i : nx && OPERAND_KW.has(nx.v) ? i : -1;
    case 'drop':
    case 'create':
    case 'alter':
    case 'truncate':
      if (nv && DDL_OBJECTS.has(nv)) return i + 1;
      if (v === 'create' && nv === 'or' && toks[i + 2]?.v === 'replace') return i + 2;
      return -1;
    case 'delete': {
      let j = i + 1;
      while (toks[j]?.v === 'quick' || toks[j]?.v === 'low_priority' || toks[j]?.v === 'ignore') j++;
      return toks[j]?.v === 'from' ? j : -1;
    }
    case 'use':
      return nx?.t === T.Word && (!toks[i + 2] || toks[i + 2]!.t === T.Semi || toks[i + 2]!.t === T.Comment)
        ? i + 1
        : -1;
    case 'insert':
    case 'replace':
      return nv === 'into' ? i + 1 : -1;
    case 'update':
      return nx?.t === T.Word && toks[i + 2]?.v === 'set' ? i + 2 : -1;
    case 'exec':
    case 'execute':
      if (!nx) return -1;
      if (nx.t === T.Var || nx.t === T.Func || nx.t === T.LParen || nx.t === T.Str) return i;
      // a procedure name: xp_cmdshell, sp_executesql, master..xp_…, dbo.proc
      return nx.t === T.Word && (nx.v.includes('_') || toks[i + 2]?.t === T.Dot) ? i : -1;
    case 'waitfor':
      return nv === 'delay' || nv === 'time' ? i + 1 : -1;
    case 'declare':
      return nx?.t === T.Var ? i : -1;
    case 'set':
      return nx?.t === T.Var ? i : -1;
    case 'shutdown':
      return !nx || nx.t === T.Comment || nx.t === T.Semi || nv === 'with' || nv === 'end' ? i : -1;
    case 'begin':
      return !nx || nx.t === T.Word || nx.t === T.Func || nx.t === T.Stmt || nx.t === T.Semi ? i : -1;
    case 'grant':
    case 'revoke':
      return nv === 'all' || nv === 'select' || nv === 'insert' || nv === 'execute' ? i : -1;
    case 'load':
      return nv === 'data' || nv === 'xml' || nv === 'load_file' ? i : -1;
    case 'do':
      return nx?.t === T.LParen || nx?.t === T.Func ? i : -1;
    case 'call':
    case 'handler':
      return nx?.t === T.Func || nx?.t === T.Word ? i : -1;
    default:
      return -1;
  }
}

/**
 * Walks tokens from index `from` in state `state` with the grammar; stops at the first token the grammar
 * does not allow. `limit` bounds the tokens read (local checks).
 */
function walk(toks: Token[], from: number, state: S, limit = Infinity): Walk {
  const w = newWalk();
  let depth = 0;
  let i = from;
  let selectOpen = false;
  let prevT: TokType | undefined;
  let prevV = '';
  const n = Math.min(toks.length, from + limit);
  let execArgs = false;

  for (; i < n; i++) {
    const tok = toks[i]!;
    const t = tok.t;
    if (t === T.Comment) {
      // a line comment (or an unclosed block comment) cuts off the rest of the value
      w.endComment = true;
      w.complete = true;
      w.valid = n - from;
      return w;
    }
    let ok = true;
    switch (state) {
      case S.Operand:
        if (t === T.Str || t === T.Num || t === T.Var || t === T.Lit || t === T.Word) {
          state = S.After;
          w.operands++;
          if (t === T.Var) w.vars++;
          else if (t !== T.Num) w.numericOnly = false;
        } else if (t === T.Func) {
          w.funcs++;
          if (SQL_FUNCS.has(tok.v)) w.knownFuncs++;
          if (CONDITIONAL_FUNCS.has(tok.v)) w.conditional = true;
          const d = DANGER_FUNCS.get(tok.v);
          if (d) w.dangerFuncs.push(d);
          w.numericOnly = false;
          if (toks[i + 1]?.t === T.LParen) {
            i++;
            depth++;
            w.parens++;
            if (depth > w.maxDepth) w.maxDepth = depth;
            if (toks[i + 1]?.t === T.RParen) {
              i++;
              depth--;
              state = S.After;
            }
          }
        } else if (t === T.LParen) {
          depth++;
          w.parens++;
          if (depth > w.maxDepth) w.maxDepth = depth;
          if (toks[i + 1]?.t === T.Stmt && toks[i + 1]?.v === 'select') w.subquery = true;
        } else if (t === T.Not) {
          // unary not
        } else if (t === T.Op && (tok.v === '-' || tok.v === '+' || tok.v === '~')) {
          // unary
        } else if (
          t === T.Op &&
          tok.v === '*' &&
          (prevT === T.Stmt || prevT === T.LParen || prevT === T.Comma)
        ) {
          state = S.After;
        } else if (t === T.Stmt && tok.v === 'select') {
          selectOpen = true;
        } else if (t === T.Stmt && (prevV === 'then' || prevV === 'else' || prevV === 'begin')) {
          // IF … THEN/ELSE <statement> (MSSQL, PL/SQL)
          {
            // a statement: statements without operands end here; exec takes named arguments after the procedure
            const last = statementAt(toks, i);
            if (last < 0) ok = false;
            else {
              const v = tok.v;
              w.stacked = true;
              if (v === 'select') selectOpen = true;
              if (v === 'waitfor' && toks[last + 1]?.t === T.Str) w.dangerFuncs.push('sqli.time-delay');
              execArgs = v === 'exec' || v === 'execute';
              state =
                v === 'shutdown' || v === 'commit' || v === 'rollback'
                  ? S.After
                  : v === 'begin'
                    ? S.Stmt
                    : S.Operand;
              i = last;
            }
          }
        } else if (t === T.Kw && tok.v === 'top') {
          if (toks[i + 1]?.t === T.Num) i++;
        } else if (t === T.Kw && OPERAND_KW.has(tok.v)) {
          if (tok.v === 'case') w.conditional = true;
          w.kw++;
        } else if (t === T.RParen && prevT === T.LParen) {
          depth--;
          state = S.After;
        } else ok = false;
        break;
      case S.After:
        if (t === T.Op) {
          if (tok.v === '*' && toks[i + 1]?.v === 'from') {
            // select * from
          } else {
            if (tok.cmp) {
              w.cmp++;
              const nx = toks[i + 1];
              if (tok.v.charCodeAt(0) < 97) w.symbolCmp++;
              else if (tok.v === 'is') {
                // IS takes NULL/TRUE/FALSE/UNKNOWN (or NOT …): `is 4` is English, `is null` is SQL
                if (nx && (nx.t === T.Lit || nx.t === T.Not)) w.symbolCmp++;
                else ok = false;
              }
            } else w.ops++;
            if (tok.v === 'sounds' && toks[i + 1]?.v === 'like') i++;
            state = S.Operand;
          }
        } else if (t === T.Logic) {
          w.logic++;
          state = S.Operand;
        } else if (t === T.Not) {
          // is not / not like / not in / not between: the operator follows
          const nx = toks[i + 1];
          if (!nx || (nx.t !== T.Op && nx.t !== T.Lit)) ok = false;
        } else if (t === T.RParen) {
          depth--;
          if (depth < 0) {
            w.underflow++;
            depth = 0;
          }
        } else if (t === T.Comma) {
          state = S.Operand;
        } else if (t === T.Semi) {
          state = S.Stmt;
          selectOpen = false;
        } else if (t === T.Dot) {
          const nx = toks[i + 1];
          if (
            nx &&
            (nx.t === T.Word || nx.t === T.Func || nx.t === T.Kw || (nx.t === T.Op && nx.v === '*'))
          ) {
            if (nx.t === T.Func) state = S.Operand;
          } else ok = false;
        } else if ((t === T.Var || t === T.Str || t === T.Num) && execArgs && prevT === T.Word) {
          // exec proc @a = 1, 'x'
          state = S.After;
        } else if (t === T.Word && (prevT === T.Dot || prevT === T.RParen)) {
          // qualified name part, derived-table alias
        } else if (t === T.Func && prevT === T.Dot) {
          w.funcs++;
          const d = DANGER_FUNCS.get(tok.v);
          if (d) w.dangerFuncs.push(d);
          state = S.Operand;
        } else if (t === T.Str && prevT === T.Str) {
          // MySQL concatenates adjacent strings
        } else if (t === T.LParen && toks[i + 1]?.t === T.Stmt && toks[i + 1]?.v === 'select') {
          // a sub-select glued to a value: `1')(select …)`
          depth++;
          w.subquery = true;
          state = S.Operand;
        } else if (t === T.Union) {
          let j = i + 1;
          while (toks[j]?.t === T.Kw && (toks[j]!.v === 'all' || toks[j]!.v === 'distinct')) j++;
          while (toks[j]?.t === T.LParen) {
            j++;
            depth++;
          }
          if (toks[j]?.t === T.Stmt && toks[j]!.v === 'select') {
            w.unionSelect = true;
            i = j;
            selectOpen = true;
            state = S.Operand;
          } else ok = false;
        } else if (t === T.Kw && CLAUSE_KW.has(tok.v)) {
          w.kw++;
          const v = tok.v;
          if (v === 'from' && selectOpen) w.selectFrom = true;
          if (v === 'order' || v === 'group') {
            if (toks[i + 1]?.v !== 'by') ok = false;
            else {
              i++;
              const nt = toks[i + 1]?.t;
              if (nt === T.Num || nt === T.Word || nt === T.Func || nt === T.LParen) w.orderBy = true;
              state = S.Operand;
            }
          } else if (v === 'having') {
            w.having = true;
            state = S.Operand;
          } else if (v === 'into') {
            const nx = toks[i + 1]?.v;
            if (nx === 'outfile' || nx === 'dumpfile') {
              w.into = true;
              i++;
            }
            state = S.Operand;
          } else if (v === 'as') {
            const nx = toks[i + 1];
            if (nx && (nx.t === T.Word || nx.t === T.Str || nx.t === T.Kw)) i++;
            else ok = false;
          } else if (AFTER_KW_TO_AFTER.has(v)) {
            // stays after an operand
          } else {
            state = S.Operand;
          }
        } else if (t === T.Stmt && tok.v === 'select' && prevT === T.RParen) {
          state = S.Operand;
          selectOpen = true;
        } else if (t === T.Stmt && tok.v !== 'select') {
          // MSSQL runs a statement written after another without `;` (`… waitfor delay '0:0:5'`)
          {
            // a statement: statements without operands end here; exec takes named arguments after the procedure
            const last = statementAt(toks, i);
            if (last < 0) ok = false;
            else {
              const v = tok.v;
              w.stacked = true;
              if (v === 'select') selectOpen = true;
              if (v === 'waitfor' && toks[last + 1]?.t === T.Str) w.dangerFuncs.push('sqli.time-delay');
              execArgs = v === 'exec' || v === 'execute';
              state =
                v === 'shutdown' || v === 'commit' || v === 'rollback'
                  ? S.After
                  : v === 'begin'
                    ? S.Stmt
                    : S.Operand;
              i = last;
            }
          }
        } else ok = false;
        break;
      case S.Stmt:
        if (t === T.Stmt) {
          {
            // a statement: statements without operands end here; exec takes named arguments after the procedure
            const last = statementAt(toks, i);
            if (last < 0) ok = false;
            else {
              const v = tok.v;
              w.stacked = true;
              if (v === 'select') selectOpen = true;
              if (v === 'waitfor' && toks[last + 1]?.t === T.Str) w.dangerFuncs.push('sqli.time-delay');
              execArgs = v === 'exec' || v === 'execute';
              state =
                v === 'shutdown' || v === 'commit' || v === 'rollback'
                  ? S.After
                  : v === 'begin'
                    ? S.Stmt
                    : S.Operand;
              i = last;
            }
          }
        } else if (t === T.Semi) {
          // empty statement
        } else if (t === T.Kw && (tok.v === 'if' || tok.v === 'while')) {
          state = S.Operand;
        } else if (t === T.Kw && tok.v === 'end') {
          state = S.After;
        } else if (t === T.Func || t === T.LParen) {
          // an expression or a parenthesised query as a statement: `;iif(…)`, `;(select …)`
          i--;
          state = S.Operand;
        } else ok = false;
        break;
    }
    if (!ok) {
      w.valid = i - from;
      return w;
    }
    prevT = toks[i]!.t;
    prevV = toks[i]!.v;
  }
  w.valid = n - from;
  // A value that ends expecting an operand is incomplete.
  w.complete = state !== S.Operand || i === from;
  return w;
}

/** Names the features of one value. `text` is a normalised (lower-cased) variant. */
export function detectSql(text: string, emit: Emit): void {
  const asIs = tokenize(text);
  judgeAsIs(asIs, emit);
  anywhere(asIs, emit);
  for (const q of QUOTES) {
    if (text.indexOf(q) < 0) continue;
    const toks = tokenize(text, q);
    judgeQuoted(toks, emit);
    anywhere(toks, emit);
  }
  // every schema name contains `_`, `.`, `$` or `sys`
  if (
    (text.indexOf('_') >= 0 ||
      text.indexOf('.') >= 0 ||
      text.indexOf('$') >= 0 ||
      text.indexOf('sys') >= 0) &&
    SCHEMA_RE.test(text)
  ) {
    emit('sqli.schema-probe');
  }
}

export const SCHEMA_RE = new RegExp(SCHEMA_WORDS.map((w) => w.replace(/[.$]/g, '\\$&')).join('|'));

const QUOTES = ["'", '"'] as const;

/** Tokens a partial walk must have read before its strong features count. */
const PARTIAL_MIN = 3;

function strongFeatures(w: Walk, emit: Emit): boolean {
  if (w.unionSelect) emit('sqli.union-select');
  if (w.stacked) emit('sqli.stacked-query');
  for (const d of w.dangerFuncs) emit(d);
  if (w.selectFrom) emit('sqli.select-from');
  if (w.subquery) emit('sqli.subquery');
  if (w.into) emit('sqli.file-access');
  return w.unionSelect || w.stacked || w.dangerFuncs.length > 0 || w.selectFrom || w.subquery || w.into;
}

/** Logic, comparisons, calls and parentheses: what distinguishes SQL from text with a dash or a word. */
function sqlElements(w: Walk): number {
  return w.logic + w.cmp + w.funcs + w.underflow + w.parens;
}

function judgeAsIs(toks: Token[], emit: Emit): void {
  if (toks.length < 2) return;
  const first = toks[0]!;
  // A payload that continues an expression the application wrote (`or 1=1`, `) union select`) starts in
  // the "after operand" state; one that supplies the operand (`1 or 1=1`) in the operand state; one that
  // is a statement of its own (`delete from x`, `exec(@p)`) in the statement state.
  const continues =
    first.t === T.Logic ||
    first.t === T.Union ||
    first.t === T.RParen ||
    first.t === T.Semi ||
    (first.t === T.Kw && !OPERAND_KW.has(first.v)) ||
    (first.t === T.Op && first.v !== '-' && first.v !== '+' && first.v !== '~');
  const lead = first.t === T.Stmt && first.v !== 'select' && statementAt(toks, 0) >= 0;
  const w = walk(toks, 0, lead ? S.Stmt : continues ? S.After : S.Operand);
  if (lead && w.valid >= 3) emit('sqli.statement');
  if (first.t === T.Stmt && first.v === 'select' && w.valid >= 2) {
    // a select of a function, variable or everything: `select @@version`, `select char(0x66)`
    const nt = toks[1]!.t;
    if (nt === T.Func || nt === T.Var || (nt === T.Op && toks[1]!.v === '*')) emit('sqli.statement');
  }
  if (!w.complete) {
    if (w.valid >= PARTIAL_MIN) strongFeatures(w, emit);
    if (w.valid >= 5 && w.logic > 0 && w.symbolCmp > 0 && w.operands >= 3) emit('sqli.tautology-weak');
    return;
  }
  strongFeatures(w, emit);
  const shape = w.logic > 0 || w.underflow > 0 || continues;
  if (
    shape &&
    (w.cmp > 0 || w.knownFuncs > 0 || w.subquery || w.conditional) &&
    w.logic + w.cmp + w.funcs + w.underflow >= 2
  )
    emit('sqli.tautology');
  else if (w.orderBy || w.having) emit('sqli.order-by');
  else if (w.conditional && (w.cmp > 0 || w.kw > 1)) emit('sqli.conditional');
  else if (w.cmp > 0 && (first.t === T.LParen || first.t === T.Func) && w.parens > 0)
    emit('sqli.conditional');
  else if (w.knownFuncs >= 2 && w.maxDepth >= 2) emit('sqli.function-chain');
  else if (w.endComment && w.operands > 0 && sqlElements(w) > 0) emit('sqli.comment-terminated');
  else if (
    w.endComment &&
    w.numericOnly &&
    w.operands > 0 &&
    (w.ops > 0 || w.operands === 1) &&
    toks[toks.length - 1]!.v !== '#'
  ) {
    // `1--`, `1 * 1 /*`: a number and a comment cutting off the rest of the query
    emit('sqli.comment-terminated');
  }
}

function judgeQuoted(toks: Token[], emit: Emit): void {
  const open = toks[0];
  if (!open || open.t !== T.Str || !open.closed || toks.length < 2) return;
  const w = walk(toks, 1, S.After);
  if (w.complete) {
    const strong = strongFeatures(w, emit);
    const last = toks[toks.length - 1]!;
    // the application's own closing quote balances a trailing open string: `x' or 'a'='a`
    const balanced = last.t === T.Str && !last.closed && toks.length > 2;
    const meaning = w.logic + w.cmp + w.funcs + w.underflow;
    if (
      strong ||
      w.orderBy ||
      w.having ||
      (w.cmp > 0 && meaning >= 2) ||
      (w.logic > 0 && w.funcs > 0) ||
      w.logic >= 2 ||
      (meaning >= 1 && w.endComment)
    ) {
      emit('sqli.breakout');
    } else if (w.cmp > 0 && (balanced || w.operands >= 2) && (w.symbolCmp > 0 || last.v.length > 0)) {
      emit('sqli.breakout-weak');
    } else if (w.logic > 0 && hasOrLike(toks)) {
      // x' or 'y, ' or 1: an OR (XOR, ||) after the application's string
      emit('sqli.breakout-weak');
    } else if (w.endComment) {
      // admin'-- : the query's rest (the password check) commented out; `'#` is common in text
      emit(toks.length === 2 && toks[1]!.v === '--' ? 'sqli.breakout-weak' : 'sqli.quote-comment');
    }
  } else {
    if (w.valid >= PARTIAL_MIN) strongFeatures(w, emit);
    if (w.valid >= 4 && w.logic > 0 && w.cmp > 0 && w.operands >= 2) emit('sqli.breakout-weak');
  }
}

/** An OR-like operator (or, xor, ||) in the tokens. */
function hasOrLike(toks: Token[]): boolean {
  for (const t of toks) if (t.t === T.Logic && t.v !== 'and' && t.v !== '&&') return true;
  return false;
}

/** Tokens a local check reads from its start (keeps the detector linear). */
const WINDOW = 64;

/** Features that count wherever they appear. */
function anywhere(toks: Tokens, emit: Emit): void {
  const n = toks.length;
  for (let i = 0; i < n; i++) {
    const tok = toks[i]!;
    if (tok.t === T.Union) {
      let j = i + 1;
      while (toks[j]?.t === T.Kw && (toks[j]!.v === 'all' || toks[j]!.v === 'distinct')) j++;
      while (toks[j]?.t === T.LParen) j++;
      // the phrase itself is enough: nothing else in a form value reads `union [all] select`
      if (toks[j]?.t === T.Stmt && toks[j]!.v === 'select') emit('sqli.union-select');
    } else if (tok.t === T.Func) {
      const f = WORD_FEATURES.get(tok.v);
      if (f) emit(f);
      const d = DANGER_FUNCS.get(tok.v);
      if (d) {
        // the arguments must read as SQL up to the closing parenthesis
        const w = walk(toks, i, S.Operand, WINDOW);
        if (w.valid >= 3) emit(d);
      }
    } else if (tok.t === T.Semi) {
      const nx = toks[i + 1];
      if (nx?.t === T.Stmt) {
        const w = walk(toks, i + 1, S.Stmt, WINDOW);
        if (w.stacked && w.valid >= 3) emit('sqli.stacked-query');
      }
    } else if (tok.t === T.Stmt && tok.v === 'select') {
      const w = walk(toks, i, S.Operand, WINDOW);
      if (w.selectFrom && w.valid >= 4) emit('sqli.select-from');
    } else if (tok.t === T.Stmt && tok.v === 'waitfor') {
      const nx = toks[i + 1];
      if (nx?.t === T.Kw && (nx.v === 'delay' || nx.v === 'time') && toks[i + 2]?.t === T.Str)
        emit('sqli.time-delay');
    } else if (tok.t === T.Kw && tok.v === 'into') {
      const nx = toks[i + 1]?.v;
      if ((nx === 'outfile' || nx === 'dumpfile') && toks[i + 2]?.t === T.Str) emit('sqli.file-access');
    } else if (tok.t === T.Word) {
      const f = WORD_FEATURES.get(tok.v);
      if (f) emit(f);
    } else if (tok.t === T.Var && tok.v.startsWith('@@') && tok.v.length > 3) {
      emit('sqli.system-variable');
    }
  }
  if (toks.execComments) emit('sqli.mysql-comment');
}
