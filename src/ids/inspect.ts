/**
 * `inspect(input, options) → { impact, tags, fields, decision, notes }` for a parsed request: its path,
 * query, body fields (form or JSON), selected headers and cookies. Each field is scored in its mode
 * (string, HTML, JSON leaves, or skipped); the request's impact is the sum; the decision follows the
 * thresholds. Every input is capped (field count, value length, nesting, JSON leaves); what the caps cut is
 * reported in `notes`, never silently passed.
 *
 * @example
 * const ids = createIds({ thresholds: { block: 60 } });
 * const r = ids.inspect({ path: '/civicrm/contribute/transact', body: { first_name: "x' OR 1=1 -- " } });
 * if (r.decision === 'block') …
 */
import type { ValueScorer } from './engine.js';
import { createValueScorer } from './engine.js';
import type { IdsOptions, ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import type {
  Decision,
  FieldMode,
  FieldResult,
  FieldSource,
  InspectResult,
  Tag,
  Thresholds,
} from './types.js';

type Scalar = string | number | boolean | null | undefined;
export type QueryLike = string | URLSearchParams | Readonly<Record<string, unknown>>;

export interface InspectInput {
  /** The URL path (percent-encoded or decoded). Used for route exemptions and inspected itself. */
  path?: string;
  /** The query: a raw query string, URLSearchParams, or an already parsed object. */
  query?: QueryLike;
  /** The body: a parsed object (form or JSON), a raw string, or a Buffer; see bodyType. */
  body?: unknown;
  /** How to read a string/Buffer body (default: from `content-type` in headers, else form). */
  bodyType?: 'form' | 'json' | 'text';
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed cookies; if absent, the `cookie` header is parsed. */
  cookies?: Readonly<Record<string, string | undefined>>;
  /** The route for exemptions, when it differs from `path` (e.g. CiviCRM's `q=civicrm/…`). */
  route?: string;
}

export interface Ids {
  inspect(input: InspectInput): InspectResult;
  /** Scores one value as a field of the given mode (the CLI's `ids scan`). */
  scoreValue(value: string, mode?: FieldMode): FieldResult;
  decide(impact: number): Decision;
  readonly options: ResolvedOptions;
}

export function decide(impact: number, t: Thresholds): Decision {
  if (impact >= t.block) return 'block';
  if (impact >= t.warn) return 'warn';
  if (impact >= t.log) return 'log';
  return 'pass';
}

/** Splits a Cookie header (capped at 8 KiB, 100 cookies). */
export function parseCookieHeader(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const part of header.slice(0, 8192).split(';')) {
    if (++count > 100) break;
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length > 1) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value: the normaliser decodes what it can
    }
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

function safeDecodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

interface Collector {
  fields: FieldResult[];
  notes: Set<string>;
  count: number;
  impact: number;
  tags: Set<Tag>;
}

export function createIds(options: IdsOptions = {}): Ids {
  const opts = resolveOptions(options);
  const scorer: ValueScorer = createValueScorer({
    rules: opts.rules,
    normalise: { maxLength: opts.limits.maxValueLength },
  });
  const { limits } = opts;

  function add(c: Collector, source: FieldSource, name: string, value: string, mode: FieldMode): void {
    if (c.count >= limits.maxFields) {
      c.notes.add(`more than ${limits.maxFields} fields: the rest were not inspected`);
      return;
    }
    c.count++;
    if (mode === 'skip' || value.length === 0) return;
    if (value.length > limits.maxValueLength)
      c.notes.add(
        `${name}: value longer than ${limits.maxValueLength} characters, only its start was inspected`,
      );
    const r = scorer(value, mode === 'html' ? 'html' : 'string');
    if (r.impact === 0) return;
    c.impact += r.impact;
    for (const t of r.tags) c.tags.add(t);
    c.fields.push({ name, source, mode, value, impact: r.impact, tags: r.tags, hits: r.hits });
  }

  /** A JSON document: every leaf string (and every key) as a string-mode field. */
  function addJson(c: Collector, source: FieldSource, name: string, text: string, route: string): void {
    let doc: unknown;
    try {
      doc = text.length <= limits.maxValueLength ? JSON.parse(text) : undefined;
    } catch {
      doc = undefined;
    }
    if (doc === undefined) {
      c.notes.add(`${name}: not valid JSON (or too long), inspected as text`);
      add(c, source, name, text, 'string');
      return;
    }
    let leaves = 0;
    const walk = (v: unknown, path: string, depth: number): void => {
      if (depth > limits.maxDepth) {
        c.notes.add(`${name}: nested deeper than ${limits.maxDepth}, the rest inspected as text`);
        add(c, source, path, JSON.stringify(v).slice(0, limits.maxValueLength), 'string');
        return;
      }
      if (++leaves > limits.maxJsonLeaves) {
        if (leaves === limits.maxJsonLeaves + 1)
          c.notes.add(`${name}: more than ${limits.maxJsonLeaves} JSON values, the rest were not inspected`);
        return;
      }
      if (typeof v === 'string') {
        const mode = opts.modeOf(route, source, path);
        add(c, source, path, v, mode === 'json' ? 'string' : mode);
      } else if (Array.isArray(v)) {
        v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          add(c, source, `${path}{key}`, k, 'string');
          walk(x, `${path}.${k}`, depth + 1);
        }
      }
    };
    walk(doc, name, 0);
  }

  /** A parsed form/query object (qs-style nesting allowed). */
  function addObject(
    c: Collector,
    source: FieldSource,
    prefix: string,
    obj: unknown,
    route: string,
    depth: number,
  ): void {
    if (depth > limits.maxDepth) {
      c.notes.add(`${prefix}: nested deeper than ${limits.maxDepth}, not inspected further`);
      return;
    }
    if (Array.isArray(obj)) {
      obj.forEach((v, i) => addObject(c, source, `${prefix}[${i}]`, v, route, depth + 1));
      return;
    }
    if (obj && typeof obj === 'object' && !Buffer.isBuffer(obj)) {
      for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
        if (c.count >= limits.maxFields) {
          c.notes.add(`more than ${limits.maxFields} fields: the rest were not inspected`);
          return;
        }
        const name = `${prefix}.${k}`;
        add(c, source, `${prefix}{key}`, k, 'string');
        addObject(c, source, name, v, route, depth + 1);
      }
      return;
    }
    const value = scalarToString(obj as Scalar | Buffer);
    if (value === undefined) return;
    const mode = opts.modeOf(route, source, prefix);
    if (mode === 'json') addJson(c, source, prefix, value, route);
    else add(c, source, prefix, value, mode);
  }

  function addQuery(
    c: Collector,
    source: FieldSource,
    prefix: string,
    q: QueryLike | undefined,
    route: string,
  ): void {
    if (q === undefined || q === null) return;
    if (typeof q === 'string' || q instanceof URLSearchParams) {
      const params = typeof q === 'string' ? new URLSearchParams(q.startsWith('?') ? q.slice(1) : q) : q;
      for (const [k, v] of params) addObject(c, source, `${prefix}.${k}`, v, route, 1);
      // names are values too (PHP reads `a[$ne]` into arrays; attackers put payloads in names)
      for (const k of new Set(params.keys())) add(c, source, `${prefix}{key}`, k, 'string');
      return;
    }
    addObject(c, source, prefix, q, route, 0);
  }

  function inspect(input: InspectInput): InspectResult {
    const c: Collector = { fields: [], notes: new Set(), count: 0, impact: 0, tags: new Set() };
    const headers = input.headers ?? {};
    const rawPath = input.path ?? '';
    const pathOnly = rawPath.split('?')[0] ?? '';
    const route = input.route ?? safeDecodePath(pathOnly);
    if (opts.inspectPath && pathOnly) add(c, 'path', 'path', safeDecodePath(pathOnly), 'string');
    addQuery(
      c,
      'query',
      'query',
      input.query ?? (rawPath.includes('?') ? rawPath.slice(rawPath.indexOf('?') + 1) : undefined),
      route,
    );

    const body = input.body;
    if (body !== undefined && body !== null) {
      const ct = String(headerValue(headers, 'content-type') ?? '').toLowerCase();
      const type =
        input.bodyType ?? (ct.includes('json') ? 'json' : ct.startsWith('text/') ? 'text' : 'form');
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        if (type === 'json') addJson(c, 'body', 'body', text, route);
        else if (type === 'text') add(c, 'body', 'body', text, opts.modeOf(route, 'body', 'body'));
        else addQuery(c, 'body', 'body', text, route);
      } else addObject(c, 'body', 'body', body, route, 0);
    }

    for (const h of opts.headers) {
      const v = headerValue(headers, h);
      if (v !== undefined) add(c, 'header', `header.${h}`, v, opts.modeOf(route, 'header', `header.${h}`));
    }
    if (opts.inspectCookies) {
      const cookies = input.cookies ?? parseCookieHeader(headerValue(headers, 'cookie') ?? '');
      for (const [k, v] of Object.entries(cookies)) {
        if (v === undefined) continue;
        const name = `cookie.${k}`;
        add(c, 'cookie', name, v, opts.modeOf(route, 'cookie', name));
      }
    }

    c.fields.sort((a, b) => b.impact - a.impact);
    return {
      impact: c.impact,
      tags: [...c.tags],
      fields: c.fields,
      decision: decide(c.impact, opts.thresholds),
      notes: [...c.notes],
    };
  }

  return {
    inspect,
    scoreValue(value: string, mode: FieldMode = 'string'): FieldResult {
      if (mode === 'json') {
        const c: Collector = { fields: [], notes: new Set(), count: 0, impact: 0, tags: new Set() };
        addJson(c, 'body', 'value', value, '');
        const hits = c.fields.flatMap((f) => f.hits);
        return { name: 'value', source: 'body', mode, value, impact: c.impact, tags: [...c.tags], hits };
      }
      const r =
        mode === 'skip'
          ? { impact: 0, tags: [], hits: [] }
          : scorer(value, mode === 'html' ? 'html' : 'string');
      return { name: 'value', source: 'body', mode, value, ...r };
    },
    decide: (impact: number) => decide(impact, opts.thresholds),
    options: opts,
  };
}

function headerValue(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    for (const k of Object.keys(headers)) {
      if (k.toLowerCase() === name) {
        v = headers[k];
        break;
      }
    }
  }
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

function scalarToString(v: Scalar | Buffer): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

let shared: Ids | undefined;
/** Inspects with default options (a shared engine); pass options to get a dedicated one. */
export function inspect(input: InspectInput, options?: IdsOptions): InspectResult {
  if (options) return createIds(options).inspect(input);
  shared ??= createIds();
  return shared.inspect(input);
}
