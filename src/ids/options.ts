/**
 * IDS options: validated once (bad values throw a CiviguardError that echoes the value, with a "did you
 * mean"), then precomputed into matchers so that the hot path only calls them.
 */
import { didYouMean } from '../core/did-you-mean.js';
import { CiviguardError } from '../core/errors.js';
import { CIVICRM_HTML_FIELDS, CIVICRM_JSON_FIELDS, CIVICRM_SKIP_FIELDS, DEFAULT_HEADERS } from './civicrm.js';
import type { RuleSet } from './rules.js';
import { defaultRules, loadRules } from './rules.js';
import type { FieldMode, Thresholds } from './types.js';

export type NameMatcher = string | RegExp;

/** A per-route and/or per-field rule for how a field is inspected; the first that matches wins. */
export interface Exemption {
  /** Request path: exact, or with `*` wildcards (`/civicrm/admin/*`), or a RegExp. Omitted: every route. */
  route?: NameMatcher;
  /** Field name (the last part, `body_html`, or the full one, `body.body_html`), or a RegExp. Omitted: every field. */
  field?: NameMatcher;
  /** `skip` (not inspected), `html`, `json` or `string`. */
  mode: FieldMode;
}

export interface IdsLimits {
  /** Fields inspected per request (the rest are noted, not inspected). Default 1000. */
  maxFields: number;
  /** Characters of one value that are read. Default 1 MiB. */
  maxValueLength: number;
  /** Nesting depth of JSON and form objects. Default 32. */
  maxDepth: number;
  /** Leaf values of one JSON document. Default 10000. */
  maxJsonLeaves: number;
}

export interface IdsOptions {
  /** Decision thresholds on the request's total impact (default 25 / 50 / 75, like CiviCRM). */
  thresholds?: Partial<Thresholds>;
  /** Fields inspected in HTML mode (default: CiviCRM's rich-text fields). */
  htmlFields?: readonly NameMatcher[];
  /** Fields whose value is JSON (default: `json`, `params`). */
  jsonFields?: readonly NameMatcher[];
  /** Fields not inspected (default: analytics cookies). */
  skipFields?: readonly NameMatcher[];
  /** Per-route/per-field modes, checked before the lists above. */
  exemptions?: readonly Exemption[];
  /** Request headers inspected (lower-case names). */
  headers?: readonly string[];
  inspectCookies?: boolean;
  inspectPath?: boolean;
  limits?: Partial<IdsLimits>;
  /** A directory of rule files instead of the package's `rules/`. */
  rulesDir?: string;
  /** Or an already loaded rule set. */
  rules?: RuleSet;
}

export interface ResolvedOptions {
  thresholds: Thresholds;
  limits: IdsLimits;
  headers: ReadonlySet<string>;
  inspectCookies: boolean;
  inspectPath: boolean;
  rules: RuleSet;
  /** The mode of a field on a route. */
  modeOf(route: string, source: string, name: string): FieldMode;
}

const KEYS = [
  'thresholds',
  'htmlFields',
  'jsonFields',
  'skipFields',
  'exemptions',
  'headers',
  'inspectCookies',
  'inspectPath',
  'limits',
  'rulesDir',
  'rules',
];
const MODES: readonly FieldMode[] = ['string', 'html', 'json', 'skip'];

export const DEFAULT_THRESHOLDS: Thresholds = Object.freeze({ log: 25, warn: 50, block: 75 });
export const DEFAULT_LIMITS: IdsLimits = Object.freeze({
  maxFields: 1000,
  maxValueLength: 1024 * 1024,
  maxDepth: 32,
  maxJsonLeaves: 10000,
});

function bad(msg: string): never {
  throw new CiviguardError('E_CONFIG', `ids: ${msg}`);
}

/**
 * `*` wildcard matching without a regex (user-supplied patterns must not be able to build a slow one):
 * the classic two-pointer algorithm, O(pattern × text) at worst on short names and paths.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Matches a field by its last name part or its full name, case-insensitively for strings. */
function fieldMatcher(m: NameMatcher): (full: string, last: string) => boolean {
  if (m instanceof RegExp) return (full, last) => m.test(last) || m.test(full);
  if (typeof m !== 'string' || !m)
    bad(`field names must be non-empty strings or RegExps, got ${JSON.stringify(m)}`);
  const l = m.toLowerCase();
  if (l.includes('*'))
    return (full, last) => wildcardMatch(l, last.toLowerCase()) || wildcardMatch(l, full.toLowerCase());
  return (full, last) => last.toLowerCase() === l || full.toLowerCase() === l;
}

function routeMatcher(m: NameMatcher | undefined): (route: string) => boolean {
  if (m === undefined) return () => true;
  if (m instanceof RegExp) return (r) => m.test(r);
  if (typeof m !== 'string' || !m)
    bad(`routes must be non-empty strings or RegExps, got ${JSON.stringify(m)}`);
  return (r) => wildcardMatch(m, r.length > 4096 ? r.slice(0, 4096) : r);
}

function checkThreshold(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > 10000) {
    bad(`thresholds.${name} must be a number from 1 to 10000, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** The last part of a field name: `body.json.contact.email` → `email`, `query.ids[0]` → `ids`. */
export function lastPart(name: string): string {
  const cut = name.replace(/\[\d+\]$/, '');
  const dot = cut.lastIndexOf('.');
  return dot >= 0 ? cut.slice(dot + 1) : cut;
}

export function resolveOptions(options: IdsOptions = {}): ResolvedOptions {
  if (!options || typeof options !== 'object') bad('options must be an object');
  for (const k of Object.keys(options)) {
    if (!KEYS.includes(k)) bad(`unknown option '${k}'${didYouMean(k, KEYS)}`);
  }
  const t = options.thresholds ?? {};
  for (const k of Object.keys(t)) {
    if (!['log', 'warn', 'block'].includes(k))
      bad(`unknown threshold '${k}'${didYouMean(k, ['log', 'warn', 'block'])}`);
  }
  const thresholds: Thresholds = {
    log: checkThreshold('log', t.log ?? DEFAULT_THRESHOLDS.log),
    warn: checkThreshold('warn', t.warn ?? DEFAULT_THRESHOLDS.warn),
    block: checkThreshold('block', t.block ?? DEFAULT_THRESHOLDS.block),
  };
  if (!(thresholds.log <= thresholds.warn && thresholds.warn <= thresholds.block)) {
    bad(`thresholds must satisfy log ≤ warn ≤ block, got ${JSON.stringify(thresholds)}`);
  }
  const limits: IdsLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(options.limits ?? {})) {
    if (!(k in DEFAULT_LIMITS)) bad(`unknown limit '${k}'${didYouMean(k, Object.keys(DEFAULT_LIMITS))}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      bad(`limits.${k} must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
    limits[k as keyof IdsLimits] = v;
  }
  const headers = new Set((options.headers ?? DEFAULT_HEADERS).map((h) => String(h).toLowerCase()));

  const exemptions = (options.exemptions ?? []).map((e, i) => {
    if (!e || typeof e !== 'object') bad(`exemptions[${i}] must be an object`);
    if (!MODES.includes(e.mode))
      bad(
        `exemptions[${i}].mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(e.mode)}${didYouMean(String(e.mode), MODES)}`,
      );
    if (e.route === undefined && e.field === undefined)
      bad(`exemptions[${i}] needs a route, a field or both`);
    return {
      route: routeMatcher(e.route),
      field: e.field === undefined ? () => true : fieldMatcher(e.field),
      mode: e.mode,
    };
  });
  const html = (options.htmlFields ?? CIVICRM_HTML_FIELDS).map(fieldMatcher);
  const json = (options.jsonFields ?? CIVICRM_JSON_FIELDS).map(fieldMatcher);
  const skip = (options.skipFields ?? CIVICRM_SKIP_FIELDS).map(fieldMatcher);

  let rules = options.rules;
  if (!rules) rules = options.rulesDir ? loadRules(options.rulesDir) : defaultRules();

  return {
    thresholds,
    limits,
    headers,
    inspectCookies: options.inspectCookies ?? true,
    inspectPath: options.inspectPath ?? true,
    rules,
    modeOf(route: string, source: string, name: string): FieldMode {
      const last = lastPart(name);
      const full = name;
      for (const e of exemptions) if (e.route(route) && e.field(full, last)) return e.mode;
      if (skip.some((m) => m(full, last))) return 'skip';
      if (source === 'header' || source === 'path') return 'string';
      if (html.some((m) => m(full, last))) return 'html';
      if (json.some((m) => m(full, last))) return 'json';
      return 'string';
    },
  };
}
