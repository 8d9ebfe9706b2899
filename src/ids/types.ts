/**
 * Public types of the IDS engine: tags, rule hits, per-field and per-request results, decisions.
 */

/** Attack classes a rule or detector can report (the vocabulary of issue #4). */
export const TAGS = [
  'sqli',
  'xss',
  'cmdi',
  'traversal',
  'lfi',
  'rfi',
  'ssti',
  'xxe',
  'ldap',
  'nosql',
  'header',
] as const;
export type Tag = (typeof TAGS)[number];

export const DECISIONS = ['pass', 'log', 'warn', 'block'] as const;
/** What the request deserves: nothing, a log line, a warning, or being stopped. */
export type Decision = (typeof DECISIONS)[number];

/**
 * How a field is inspected.
 * - `string`: an ordinary form value (every detector, every decoding).
 * - `html`: rich text; only executable HTML counts (scripts, event handlers, script URLs, dangerous tags).
 * - `json`: a JSON document; each leaf string (and key) is inspected as a `string`, not the JSON syntax.
 * - `skip`: not inspected at all (an explicit exemption).
 */
export type FieldMode = 'string' | 'html' | 'json' | 'skip';

/** One rule or detector feature that matched a value. */
export interface RuleHit {
  /** Stable id, e.g. `sqli.union-select` or `xss.event-handler`. */
  id: string;
  tags: Tag[];
  impact: number;
  description: string;
}

/** The judgement on one value. */
export interface ValueResult {
  impact: number;
  tags: Tag[];
  hits: RuleHit[];
}

/** The judgement on one field of a request. */
export interface FieldResult extends ValueResult {
  /** Where the value came from and its name: `query.id`, `body.json.contact.first_name`, `header.user-agent`. */
  name: string;
  source: FieldSource;
  mode: FieldMode;
  /** The value as received (callers cap and mask it before logging; see event-log.ts). */
  value: string;
}

export type FieldSource = 'path' | 'query' | 'body' | 'header' | 'cookie';

/** The judgement on a whole request. */
export interface InspectResult {
  /** Sum of the fields' impacts. */
  impact: number;
  tags: Tag[];
  /** Fields with an impact above zero, highest first. */
  fields: FieldResult[];
  decision: Decision;
  /** Notes about limits that were hit (too many fields, value truncated, body not parsed). */
  notes: string[];
}

export interface Thresholds {
  log: number;
  warn: number;
  block: number;
}
