import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { Engine } from 'php-parser';
import { CiviguardError, describeError } from '../../core/errors.js';

/**
 * Static reading of PHP settings files (civicrm.settings.php, wp-config.php, settings.php): parses with
 * php-parser and follows define()/assignments/ifs/includes WITHOUT evaluating anything. What depends on
 * a value that cannot be known statically (getenv(), $_SERVER, a function call) becomes an Unknown that
 * carries the reason, so callers can `skip` with it instead of guessing.
 */

export class Unknown {
  constructor(readonly reason: string) {}
}

export class PhpArray extends Map<string, PhpValue> {}
export type PhpValue = string | number | boolean | null | PhpArray | Unknown;

export interface PhpReadOptions {
  /** Constants defined before the file runs (e.g. a Debian host config read first). */
  constants?: ReadonlyMap<string, PhpValue>;
  /** Variables set before the file runs ($app_root, $site_path for Drupal). */
  variables?: ReadonlyMap<string, PhpValue>;
  /** Host name for `$_SERVER['HTTP_HOST']` / `SERVER_NAME` (the audited site). */
  httpHost?: string;
  /** Max bytes per file (default 1 MiB) and include depth (default 6). */
  maxBytes?: number;
  maxDepth?: number;
  /** Includes whose path matches are not followed (e.g. wp-settings.php: code, not settings). */
  skipInclude?: RegExp;
}

export interface PhpReadResult {
  constants: Map<string, PhpValue>;
  variables: Map<string, PhpValue>;
  /** Files read, the first being the one asked for. */
  files: string[];
  /** Things that could not be followed (includes with unknown paths, loops…), for evidence. */
  notes: string[];
}

const MAX_NOTES = 50;
const MAX_STEPS = 200_000;

const engine = new Engine({
  parser: { php8: true, suppressErrors: false, extractDoc: false },
  ast: { withPositions: true },
  lexer: { short_tags: true },
});

// php-parser's AST is loosely typed; we read it through this minimal shape.
interface Node {
  kind: string;
  loc?: { start: { line: number } } | null;
  [k: string]: unknown;
}

const BUILTIN_CONSTANTS: Record<string, PhpValue> = {
  TRUE: true,
  FALSE: false,
  NULL: null,
  DIRECTORY_SEPARATOR: '/',
  PATH_SEPARATOR: ':',
  PHP_OS: 'Linux',
  PHP_OS_FAMILY: 'Linux',
  PHP_EOL: '\n',
};

interface Scope {
  file: string;
  depth: number;
}

class State {
  constants: Map<string, PhpValue>;
  variables: Map<string, PhpValue>;
  constructor(c: Map<string, PhpValue>, v: Map<string, PhpValue>) {
    this.constants = c;
    this.variables = v;
  }
  clone(): State {
    return new State(new Map(this.constants), deepCloneVars(this.variables));
  }
}

function deepClone(v: PhpValue): PhpValue {
  if (v instanceof PhpArray) {
    const out = new PhpArray();
    for (const [k, x] of v) out.set(k, deepClone(x));
    return out;
  }
  return v;
}
function deepCloneVars(m: Map<string, PhpValue>): Map<string, PhpValue> {
  const out = new Map<string, PhpValue>();
  for (const [k, v] of m) out.set(k, deepClone(v));
  return out;
}

function sameValue(a: PhpValue | undefined, b: PhpValue | undefined): boolean {
  if (a instanceof PhpArray && b instanceof PhpArray) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!sameValue(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Unknown || b instanceof Unknown) return a === b;
  return a === b;
}

/** Values that differ between two possible branches become Unknown (arrays are merged key by key). */
function mergeValue(a: PhpValue | undefined, b: PhpValue | undefined, reason: string): PhpValue {
  if (a instanceof PhpArray && b instanceof PhpArray) {
    const out = new PhpArray();
    for (const k of new Set([...a.keys(), ...b.keys()])) out.set(k, mergeValue(a.get(k), b.get(k), reason));
    return out;
  }
  if (a !== undefined && sameValue(a, b)) return a;
  return new Unknown(reason);
}

function mergeMaps(
  x: Map<string, PhpValue>,
  y: Map<string, PhpValue>,
  reason: string,
): Map<string, PhpValue> {
  const out = new Map<string, PhpValue>();
  for (const k of new Set([...x.keys(), ...y.keys()])) out.set(k, mergeValue(x.get(k), y.get(k), reason));
  return out;
}

class Halt {
  constructor(readonly why: 'return' | 'exit') {}
}

export function isKnown(v: PhpValue | undefined): v is Exclude<PhpValue, Unknown> {
  return v !== undefined && !(v instanceof Unknown);
}

/** PHP's string conversion of a scalar; Unknown for arrays and unknowns. */
export function phpString(v: PhpValue | undefined): string | Unknown {
  if (v === undefined) return new Unknown('undefined');
  if (v instanceof Unknown) return v;
  if (v instanceof PhpArray) return new Unknown('an array used as a string');
  if (v === null || v === false) return '';
  if (v === true) return '1';
  return String(v);
}

function truthy(v: PhpValue): boolean | Unknown {
  if (v instanceof Unknown) return v;
  if (v instanceof PhpArray) return v.size > 0;
  if (typeof v === 'string') return v !== '' && v !== '0';
  return Boolean(v);
}

function looseEqual(a: PhpValue, b: PhpValue): boolean | Unknown {
  if (a instanceof Unknown) return a;
  if (b instanceof Unknown) return b;
  if (a instanceof PhpArray || b instanceof PhpArray) return sameValue(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (a === null || b === null || typeof a === 'boolean' || typeof b === 'boolean') {
    const ta = truthy(a);
    const tb = truthy(b);
    return ta === tb;
  }
  return Number(a) === Number(b);
}

function strictEqual(a: PhpValue, b: PhpValue): boolean | Unknown {
  if (a instanceof Unknown) return a;
  if (b instanceof Unknown) return b;
  return sameValue(a, b);
}

function nodeText(n: Node | null | undefined): string {
  if (!n) return '?';
  switch (n.kind) {
    case 'call': {
      const what = n.what as Node;
      const name = what.kind === 'name' ? String(what.name) : '…';
      const args = (n.arguments as Node[]).map((a) => nodeText(a)).join(', ');
      return `${name}(${args})`;
    }
    case 'string':
      return `'${String(n.value).slice(0, 60)}'`;
    case 'variable':
      return `$${String(n.name)}`;
    case 'offsetlookup':
      return `${nodeText(n.what as Node)}[${nodeText(n.offset as Node)}]`;
    case 'name':
      return String(n.name);
    case 'magic':
      return String(n.value);
    default:
      return n.kind;
  }
}

class Reader {
  readonly files: string[] = [];
  readonly notes: string[] = [];
  private steps = 0;
  private readonly maxBytes: number;
  private readonly maxDepth: number;
  private readonly httpHost: string | undefined;
  private readonly skipInclude: RegExp | undefined;

  constructor(opts: PhpReadOptions) {
    this.skipInclude = opts.skipInclude;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.maxDepth = opts.maxDepth ?? 6;
    this.httpHost = opts.httpHost;
  }

  note(s: string): void {
    if (this.notes.length < MAX_NOTES && !this.notes.includes(s)) this.notes.push(s);
  }

  /** Reads and parses one file; errors are CiviguardErrors with the file name and the reason. */
  parseFile(file: string): Node[] {
    let text: string;
    try {
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > this.maxBytes) {
        throw new CiviguardError('E_TOO_LARGE', `${file} is ${st.size} bytes (limit ${this.maxBytes})`);
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (e instanceof CiviguardError) throw e;
      throw new CiviguardError('E_IO', `cannot read ${file}: ${describeError(e)}`);
    }
    try {
      const ast = engine.parseCode(text, basename(file)) as unknown as { children: Node[] };
      return ast.children;
    } catch (e) {
      const line = (e as { lineNumber?: number }).lineNumber;
      throw new CiviguardError(
        'E_PARSE',
        `${file}: PHP syntax error${line ? ` on line ${line}` : ''}: ${describeError(e).replace(/ on line \d+$/, '')}`,
      );
    }
  }

  runFile(file: string, state: State, depth: number): State {
    const real = safeRealpath(file);
    this.files.push(real);
    const children = this.parseFile(real);
    const scope: Scope = { file: real, depth };
    try {
      return this.block(children, state, scope);
    } catch (e) {
      if (e instanceof Halt) return state;
      throw e;
    }
  }

  block(nodes: Node[], state: State, scope: Scope): State {
    let s = state;
    for (const n of nodes) s = this.stmt(n, s, scope);
    return s;
  }

  stmt(n: Node, s: State, scope: Scope): State {
    if (++this.steps > MAX_STEPS) throw new CiviguardError('E_TOO_LARGE', 'settings too complex to read');
    switch (n.kind) {
      case 'expressionstatement':
        if ((n.expression as Node).kind === 'exit') throw new Halt('exit');
        this.expr(n.expression as Node, s, scope);
        return s;
      case 'block':
        return this.block(n.children as Node[], s, scope);
      case 'if': {
        const t = this.expr(n.test as Node, s, scope);
        const cond = truthy(t);
        const body = n.body as Node | null;
        const alt = n.alternate as Node | null;
        const run = (node: Node | null, st: State) => (node ? this.stmt(node, st, scope) : st);
        if (cond === true) return run(body, s);
        if (cond === false) return run(alt, s);
        // Unknown condition: follow both branches, keep only what they agree on.
        const reason = `depends on ${nodeText(n.test as Node)}${cond.reason ? ` (${cond.reason})` : ''}`;
        // A branch that ends the script (exit, return) leaves the other one as the only way on.
        const tryRun = (node: Node | null): State | Halt => {
          try {
            return run(node, s.clone());
          } catch (e) {
            if (e instanceof Halt) return e;
            throw e;
          }
        };
        const a = tryRun(body);
        const b = tryRun(alt);
        if (a instanceof Halt && b instanceof Halt) throw a;
        if (a instanceof Halt) return b as State;
        if (b instanceof Halt) return a;
        return new State(
          mergeMaps(a.constants, b.constants, reason),
          mergeMaps(a.variables, b.variables, reason),
        );
      }
      case 'return':
      case 'exit':
        throw new Halt(n.kind === 'return' ? 'return' : 'exit');
      case 'try':
        return this.stmt(n.body as Node, s, scope);
      case 'unset':
        for (const v of n.variables as Node[]) if (v.kind === 'variable') s.variables.delete(String(v.name));
        return s;
      case 'global':
      case 'inline':
      case 'echo':
      case 'noop':
      case 'function':
      case 'class':
      case 'interface':
      case 'trait':
      case 'namespace':
      case 'usegroup':
      case 'declare':
        if (n.kind === 'namespace') return this.block(n.children as Node[], s, scope);
        return s;
      default:
        this.note(`${n.kind} statement on line ${n.loc?.start.line ?? '?'} not followed`);
        return s;
    }
  }

  expr(n: Node | null | undefined, s: State, scope: Scope): PhpValue {
    if (!n) return null;
    if (++this.steps > MAX_STEPS) throw new CiviguardError('E_TOO_LARGE', 'settings too complex to read');
    switch (n.kind) {
      case 'string':
        return String(n.value);
      case 'number': {
        const v = Number(String(n.value).replace(/_/g, ''));
        return Number.isFinite(v) ? v : new Unknown(`number ${String(n.value)}`);
      }
      case 'boolean':
        return Boolean(n.value);
      case 'nullkeyword':
        return null;
      case 'magic':
        if (n.value === '__DIR__') return dirname(scope.file);
        if (n.value === '__FILE__') return scope.file;
        if (n.value === '__LINE__') return n.loc?.start.line ?? 0;
        return new Unknown(String(n.value));
      case 'encapsed': {
        let out = '';
        for (const part of n.value as Node[]) {
          const v = phpString(this.expr(part.expression as Node, s, scope));
          if (v instanceof Unknown) return v;
          out += v;
        }
        return out;
      }
      case 'nowdoc':
        return String(n.value);
      case 'name': {
        const name = String(n.name).replace(/^\\/, '');
        const up = name.toUpperCase();
        if (up in BUILTIN_CONSTANTS) return BUILTIN_CONSTANTS[up]!;
        if (s.constants.has(name)) return s.constants.get(name)!;
        return new Unknown(`constant ${name} is not defined here`);
      }
      case 'variable': {
        const name = String(n.name);
        if (s.variables.has(name)) return s.variables.get(name)!;
        if (name === 'GLOBALS') return new Unknown('$GLOBALS');
        return new Unknown(`$${name} is not set here`);
      }
      case 'offsetlookup': {
        const what = n.what as Node;
        if (what.kind === 'variable' && (what.name === '_SERVER' || what.name === '_ENV')) {
          const key = phpString(this.expr(n.offset as Node, s, scope));
          if (
            what.name === '_SERVER' &&
            (key === 'HTTP_HOST' || key === 'SERVER_NAME') &&
            this.httpHost !== undefined
          )
            return this.httpHost;
          return new Unknown(`$${String(what.name)}[${typeof key === 'string' ? key : '?'}] (runtime value)`);
        }
        const base = this.expr(what, s, scope);
        if (base instanceof Unknown) return base;
        const key = phpString(this.expr(n.offset as Node, s, scope));
        if (key instanceof Unknown) return key;
        if (base instanceof PhpArray) return base.get(key) ?? new Unknown(`${nodeText(n)} is not set`);
        return new Unknown(`${nodeText(n)}: not an array`);
      }
      case 'array': {
        const arr = new PhpArray();
        let next = 0;
        for (const item of n.items as Node[]) {
          if (!item) continue;
          if (item.kind === 'entry') {
            const val = this.expr(item.value as Node, s, scope);
            if (item.key) {
              const k = phpString(this.expr(item.key as Node, s, scope));
              if (k instanceof Unknown) return k;
              arr.set(k, val);
              if (/^\d+$/.test(k)) next = Math.max(next, Number(k) + 1);
            } else arr.set(String(next++), val);
          } else arr.set(String(next++), this.expr(item, s, scope));
        }
        return arr;
      }
      case 'cast': {
        const v = this.expr(n.expr as Node, s, scope);
        if (v instanceof Unknown) return v;
        if (n.type === 'string') return phpString(v);
        if (n.type === 'bool') return truthy(v);
        if (n.type === 'int') return typeof v === 'string' ? parseInt(v, 10) || 0 : Number(v) | 0;
        return v;
      }
      case 'unary': {
        const v = this.expr(n.what as Node, s, scope);
        if (n.type === '!') {
          const t = truthy(v);
          return t instanceof Unknown ? t : !t;
        }
        if (v instanceof Unknown) return v;
        if (n.type === '-') return -Number(v);
        if (n.type === '+') return Number(v);
        return new Unknown(`unary ${String(n.type)}`);
      }
      case 'bin':
        return this.bin(n, s, scope);
      case 'retif': {
        const t = this.expr(n.test as Node, s, scope);
        const cond = truthy(t);
        if (cond instanceof Unknown) return new Unknown(`depends on ${nodeText(n.test as Node)}`);
        if (cond) return n.trueExpr ? this.expr(n.trueExpr as Node, s, scope) : t;
        return this.expr(n.falseExpr as Node, s, scope);
      }
      case 'parenthesis':
        return this.expr(n.inner as Node, s, scope);
      case 'isset': {
        for (const v of n.variables as Node[]) {
          const x = this.expr(v, s, scope);
          if (x instanceof Unknown) return /is not set/.test(x.reason) ? false : x;
          if (x === null) return false;
        }
        return true;
      }
      case 'empty': {
        const x = this.expr(n.expression as Node, s, scope);
        if (x instanceof Unknown) return /is not set/.test(x.reason) ? true : x;
        const t = truthy(x);
        return t instanceof Unknown ? t : !t;
      }
      case 'assign':
        return this.assign(n, s, scope);
      case 'call':
        return this.call(n, s, scope);
      case 'include':
        return this.include(n, s, scope);
      case 'silent':
        return this.expr(n.expr as Node, s, scope);
      default:
        return new Unknown(`${n.kind} expression`);
    }
  }

  bin(n: Node, s: State, scope: Scope): PhpValue {
    const type = String(n.type);
    const left = this.expr(n.left as Node, s, scope);
    if (type === '??') {
      if (left instanceof Unknown) {
        if (/is not set|not defined/.test(left.reason)) return this.expr(n.right as Node, s, scope);
        return left;
      }
      return left === null ? this.expr(n.right as Node, s, scope) : left;
    }
    if (type === '&&' || type === 'and' || type === '||' || type === 'or') {
      const lt = truthy(left);
      const isAnd = type === '&&' || type === 'and';
      if (lt === !isAnd) return !isAnd; // short-circuit
      const rt = truthy(this.expr(n.right as Node, s, scope));
      if (lt instanceof Unknown) return rt === !isAnd ? !isAnd : lt;
      return rt;
    }
    const right = this.expr(n.right as Node, s, scope);
    switch (type) {
      case '.': {
        const a = phpString(left);
        if (a instanceof Unknown) return a;
        const b = phpString(right);
        return b instanceof Unknown ? b : a + b;
      }
      case '===':
        return strictEqual(left, right);
      case '!==': {
        const r = strictEqual(left, right);
        return r instanceof Unknown ? r : !r;
      }
      case '==':
        return looseEqual(left, right);
      case '!=': {
        const r = looseEqual(left, right);
        return r instanceof Unknown ? r : !r;
      }
      default: {
        if (left instanceof Unknown) return left;
        if (right instanceof Unknown) return right;
        const a = Number(left);
        const b = Number(right);
        if (type === '+') return a + b;
        if (type === '-') return a - b;
        if (type === '*') return a * b;
        if (type === '<') return a < b;
        if (type === '>') return a > b;
        if (type === '<=') return a <= b;
        if (type === '>=') return a >= b;
        return new Unknown(`operator ${type}`);
      }
    }
  }

  assign(n: Node, s: State, scope: Scope): PhpValue {
    const op = String(n.operator);
    let value = this.expr(n.right as Node, s, scope);
    const target = n.left as Node;
    // Resolve the chain of offsets: $a['x']['y'] = v.
    const keys: (string | null)[] = [];
    let base = target;
    while (base.kind === 'offsetlookup') {
      const off = base.offset as Node | null | false;
      if (!off) keys.unshift(null);
      else {
        const k = phpString(this.expr(off, s, scope));
        if (k instanceof Unknown) {
          this.note(`assignment with an unknown key on line ${n.loc?.start.line ?? '?'}`);
          return value;
        }
        keys.unshift(k);
      }
      base = base.what as Node;
    }
    if (base.kind !== 'variable' || typeof base.name !== 'string') {
      this.note(`assignment to ${nodeText(base)} on line ${n.loc?.start.line ?? '?'} not followed`);
      return value;
    }
    if (op !== '=') {
      const old = this.expr(target, s, scope);
      if (op === '.=') {
        const a = phpString(old);
        const b = phpString(value);
        value = a instanceof Unknown ? a : b instanceof Unknown ? b : a + b;
      } else if (op === '??=') {
        value = old instanceof Unknown && /is not set/.test(old.reason) ? value : old;
      } else value = new Unknown(`operator ${op}`);
    }
    if (keys.length === 0) {
      s.variables.set(base.name, value);
      return value;
    }
    let container = s.variables.get(base.name);
    if (!(container instanceof PhpArray)) {
      container = new PhpArray();
      s.variables.set(base.name, container);
    }
    let cur: PhpArray = container;
    for (let i = 0; i < keys.length; i++) {
      const last = i === keys.length - 1;
      const k = keys[i] ?? String(cur.size);
      if (last) cur.set(k, value);
      else {
        let nxt = cur.get(k);
        if (!(nxt instanceof PhpArray)) {
          nxt = new PhpArray();
          cur.set(k, nxt);
        }
        cur = nxt;
      }
    }
    return value;
  }

  call(n: Node, s: State, scope: Scope): PhpValue {
    const what = n.what as Node;
    const args = (n.arguments as Node[]) ?? [];
    if (what.kind !== 'name') return new Unknown(`call ${nodeText(n)}`);
    const fn = String(what.name).replace(/^\\/, '').toLowerCase();
    const arg = (i: number) => this.expr(args[i], s, scope);
    const strArg = (i: number) => phpString(arg(i));
    switch (fn) {
      case 'define': {
        const name = strArg(0);
        if (name instanceof Unknown) {
          this.note(`define() with an unknown name on line ${n.loc?.start.line ?? '?'}`);
          return new Unknown('define');
        }
        // PHP keeps the first definition; an earlier maybe-definition keeps the value unknown.
        if (s.constants.has(name)) return false;
        s.constants.set(name, arg(1));
        return true;
      }
      case 'defined': {
        const name = strArg(0);
        if (name instanceof Unknown) return name;
        if (name.toUpperCase() in BUILTIN_CONSTANTS) return true;
        const v = s.constants.get(name);
        if (v === undefined) return false;
        if (v instanceof Unknown && /^depends on/.test(v.reason)) return new Unknown(v.reason);
        return true;
      }
      case 'getenv':
        return new Unknown(`${nodeText(n)} (environment of the PHP process)`);
      case 'dirname': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        const levels = args[1] ? Number(arg(1)) : 1;
        let out = p;
        for (let i = 0; i < levels; i++) out = dirname(out);
        return out;
      }
      case 'basename': {
        const p = strArg(0);
        return p instanceof Unknown ? p : basename(p);
      }
      case 'realpath': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        try {
          return realpathSync(p);
        } catch {
          return false;
        }
      }
      case 'file_exists':
      case 'is_file':
      case 'is_dir':
      case 'is_readable': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        if (!isAbsolute(p)) return new Unknown(`${fn}() of relative path ${p}`);
        try {
          const st = statSync(p);
          if (fn === 'is_file') return st.isFile();
          if (fn === 'is_dir') return st.isDirectory();
          return true;
        } catch {
          return false;
        }
      }
      case 'rtrim':
      case 'ltrim':
      case 'trim': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        const chars = args[1] ? strArg(1) : ' \t\n\r\0\x0B';
        if (chars instanceof Unknown) return chars;
        const set = new Set(chars.replace(/\.\./g, ''));
        let a = 0;
        let b = p.length;
        if (fn !== 'rtrim') while (a < b && set.has(p[a]!)) a++;
        if (fn !== 'ltrim') while (b > a && set.has(p[b - 1]!)) b--;
        return p.slice(a, b);
      }
      case 'strtolower':
      case 'strtoupper': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        return fn === 'strtolower' ? p.toLowerCase() : p.toUpperCase();
      }
      case 'substr': {
        const p = strArg(0);
        if (p instanceof Unknown) return p;
        const start = Number(arg(1));
        const len = args[2] ? Number(arg(2)) : undefined;
        const from = start < 0 ? Math.max(0, p.length + start) : start;
        if (len === undefined) return p.slice(from);
        return len < 0 ? p.slice(from, p.length + len) : p.slice(from, from + len);
      }
      case 'implode':
      case 'join': {
        const glue = strArg(0);
        const list = arg(1);
        if (glue instanceof Unknown) return glue;
        if (!(list instanceof PhpArray)) return new Unknown('implode of a non-array');
        const parts: string[] = [];
        for (const v of list.values()) {
          const x = phpString(v);
          if (x instanceof Unknown) return x;
          parts.push(x);
        }
        return parts.join(glue);
      }
      case 'sprintf': {
        const fmt = strArg(0);
        if (fmt instanceof Unknown) return fmt;
        let i = 1;
        let bad: Unknown | null = null;
        const out = fmt.replace(/%([%sd])/g, (_m, c: string) => {
          if (c === '%') return '%';
          const v = phpString(arg(i++));
          if (v instanceof Unknown) {
            bad = v;
            return '';
          }
          return c === 'd' ? String(parseInt(v, 10) || 0) : v;
        });
        return bad ?? out;
      }
      case 'str_replace': {
        const search = strArg(0);
        const repl = strArg(1);
        const subject = strArg(2);
        if (search instanceof Unknown) return search;
        if (repl instanceof Unknown) return repl;
        if (subject instanceof Unknown) return subject;
        return search === '' ? subject : subject.split(search).join(repl);
      }
      case 'function_exists':
      case 'class_exists':
      case 'extension_loaded':
      case 'ini_get':
      case 'php_sapi_name':
        return new Unknown(`${nodeText(n)} (runtime)`);
      default:
        return new Unknown(`${nodeText(n)} (function call)`);
    }
  }

  include(n: Node, s: State, scope: Scope): PhpValue {
    const target = phpString(this.expr(n.target as Node, s, scope));
    const line = n.loc?.start.line ?? '?';
    if (target instanceof Unknown) {
      this.note(`include on line ${line} of ${scope.file} has an unknown path (${target.reason})`);
      return new Unknown('include');
    }
    const path = isAbsolute(target) ? target : null;
    if (!path) {
      // Relative includes go through PHP's include_path: CiviCRM's own classes, not settings.
      this.note(`include '${target}' (relative, via include_path) not followed`);
      return new Unknown('include');
    }
    if (this.skipInclude?.test(path)) return new Unknown('include');
    if (scope.depth >= this.maxDepth) {
      this.note(`include ${path} not followed: more than ${this.maxDepth} levels`);
      return new Unknown('include');
    }
    if (!existsSync(path)) {
      this.note(`include ${path} on line ${line}: file does not exist`);
      return false;
    }
    const real = safeRealpath(path);
    if (n.once && this.files.includes(real)) return true;
    if (this.files.filter((f) => f === real).length >= 2) {
      this.note(`include loop at ${real}`);
      return new Unknown('include');
    }
    try {
      const after = this.runFile(real, s, scope.depth + 1);
      s.constants = after.constants;
      s.variables = after.variables;
    } catch (e) {
      if (e instanceof Halt) return true;
      this.note(`include ${real}: ${describeError(e)}`);
      return new Unknown('include');
    }
    return true;
  }
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolvePath(p);
  }
}

/**
 * Reads a PHP file statically. Throws CiviguardError E_IO (unreadable), E_PARSE (syntax error) or
 * E_TOO_LARGE for the top-level file; problems in included files become notes.
 */
export function readPhpFile(file: string, opts: PhpReadOptions = {}): PhpReadResult {
  try {
    if (lstatSync(file).isDirectory()) throw new CiviguardError('E_IO', `${file} is a directory`);
  } catch (e) {
    if (e instanceof CiviguardError) throw e;
    throw new CiviguardError('E_IO', `cannot read ${file}: ${describeError(e)}`);
  }
  const reader = new Reader(opts);
  const state = new State(new Map(opts.constants ?? []), deepCloneVars(new Map(opts.variables ?? [])));
  const out = reader.runFile(file, state, 0);
  return { constants: out.constants, variables: out.variables, files: reader.files, notes: reader.notes };
}

/** `$name['a']['b']` from a result's variables, or undefined when not set. */
export function lookup(
  vars: ReadonlyMap<string, PhpValue>,
  name: string,
  ...keys: string[]
): PhpValue | undefined {
  let cur: PhpValue | undefined = vars.get(name);
  for (const k of keys) {
    if (cur instanceof Unknown) return cur;
    if (!(cur instanceof PhpArray)) return undefined;
    cur = cur.get(k);
  }
  return cur;
}
