/**
 * Scoring one value: prefilter → normalise → detectors and pattern rules on every variant → hits.
 * A value's impact is the sum of the distinct rules and detector features it matches.
 */
import { detectPath } from './detectors/path.js';
import { detectShell } from './detectors/shell.js';
import { detectSql } from './detectors/sql.js';
import { detectXss } from './detectors/xss.js';
import type { NormaliseOptions } from './normalise/index.js';
import { normalise } from './normalise/index.js';
import { fold } from './normalise/fold.js';
import { isPlain, startsWithCommand } from './prefilter.js';
import type { Rule, RuleMode, RuleSet } from './rules.js';
import { defaultRules } from './rules.js';
import type { RuleHit, Tag, ValueResult } from './types.js';
import { CiviguardError } from '../core/errors.js';

export interface ValueScorerOptions {
  rules?: RuleSet;
  normalise?: NormaliseOptions;
  /** Skip the prefilter (tests and benchmarks measure with and without it). */
  noPrefilter?: boolean;
}

export type ValueScorer = (value: string, mode?: RuleMode) => ValueResult;

const EMPTY: ValueResult = Object.freeze({ impact: 0, tags: [], hits: [] }) as ValueResult;

function toHit(r: Rule): RuleHit {
  return { id: r.id, tags: r.tags, impact: r.impact, description: r.description };
}

/** A regex matching any `needs` string of the rules, or null when some rule has none (always tried). */
export function needsRegex(rules: readonly Rule[]): RegExp | null {
  const all = new Set<string>();
  for (const r of rules) {
    if (r.needs.length === 0) return null;
    for (const n of r.needs) all.add(n);
  }
  if (all.size === 0) return /(?!)/;
  return new RegExp([...all].map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'));
}

function needsMet(rule: Rule, text: string): boolean {
  if (rule.needs.length === 0) return true;
  for (const n of rule.needs) if (text.indexOf(n) >= 0) return true;
  return false;
}

/**
 * Gates: what makes a detector worth running on a normalised text. SQL: its punctuation, its statement and
 * clause words, or a logic/comparison word next to a number or literal (`1 or 2`; plain `and` in prose is
 * not enough). Shell: a separator, a substitution, code-execution syntax, or a command at the start.
 */
const SQL_GATE =
  /['"#;=()|&@*<>\\`]|--|\/\*|\b(?:union|select|having|order|group|waitfor|exec|execute|declare|drop|insert|delete|update|procedure|into|limit|case|shutdown|use|load|do)\b|\d\s{0,8}(?:and|or|xor|not|like|rlike|regexp|between|div|is|in|sounds)\b|\b(?:and|or|xor|not|like|rlike|regexp|between|div|is|sounds)\s{0,8}(?:\d|true\b|false\b|null\b|not\b)/;
const LEADING_QUOTES = /^[\s'"]{1,8}/;
const SHELL_GATE = /[;|&\n\r`(<{]|\$[({_]|\$ifs|^[\s'"]{0,8}(?:[/\\]|[a-z]:[\\/])/;

export function createValueScorer(options: ValueScorerOptions = {}): ValueScorer {
  const rules = options.rules ?? defaultRules();
  const feature = (id: string): Rule => {
    const r = rules.byId.get(id);
    if (!r)
      throw new CiviguardError('E_INTERNAL', `ids: detector feature '${id}' has no rule in rules/*.yaml`);
    return r;
  };
  const featureCache = new Map<string, Rule>();
  // One test for all the prefilter strings of the pattern rules of a mode: most values need none.
  const anyNeed: Record<RuleMode, RegExp | null> = {
    string: needsRegex(rules.patterns.string),
    html: needsRegex(rules.patterns.html),
  };

  // Rules reading the raw value or the comment-stripped text need their own prefilter test.
  const otherTargets = rules.rules.some((r) => r.pattern && r.on !== 'text');
  // One emit function for the scorer's life (no closure per value): it writes into the current call's map.
  let hits = new Map<string, Rule>();
  let mode: RuleMode = 'string';
  const emit = (id: string) => {
    if (hits.has(id)) return;
    let r = featureCache.get(id);
    if (!r) {
      r = feature(id);
      featureCache.set(id, r);
    }
    if (r.modes.includes(mode)) hits.set(id, r);
  };

  return function score(value: string, m: RuleMode = 'string'): ValueResult {
    if (value.length === 0) return EMPTY;
    if (!options.noPrefilter && isPlain(value)) return EMPTY;
    hits = new Map<string, Rule>();
    mode = m;
    const patterns = rules.patterns[mode];
    if (mode === 'html') {
      const cut = options.normalise?.maxLength ?? 1024 * 1024;
      const text = fold(value.length > cut ? value.slice(0, cut) : value).out;
      detectXss(text, emit, true);
      for (const r of patterns) {
        if (!hits.has(r.id) && needsMet(r, text) && r.pattern!.test(text)) hits.set(r.id, r);
      }
    } else {
      const norm = normalise(value, options.normalise);
      const nul = norm.steps.has('nul');
      let rawLower: string | undefined;
      for (let i = 0; i < norm.variants.length; i++) {
        const text = norm.variants[i]!;
        if (SQL_GATE.test(text)) detectSql(text, emit);
        detectXss(text, emit, false, norm.flat(i));
        if (SHELL_GATE.test(text) || startsWithCommand(text.replace(LEADING_QUOTES, '')))
          detectShell(text, emit);
        detectPath(text, nul, emit);
        if (
          anyNeed.string &&
          !anyNeed.string.test(text) &&
          (!otherTargets || !anyNeed.string.test(norm.raw.toLowerCase() + '\n' + norm.flat(i)))
        )
          continue;
        for (const r of patterns) {
          if (hits.has(r.id)) continue;
          let target: string;
          if (r.on === 'raw') target = rawLower ??= norm.raw.toLowerCase();
          else if (r.on === 'flat') target = norm.flat(i);
          else target = text;
          if (needsMet(r, target) && r.pattern!.test(target)) hits.set(r.id, r);
        }
      }
    }
    if (hits.size === 0) return EMPTY;
    let impact = 0;
    const tags = new Set<Tag>();
    const list: RuleHit[] = [];
    for (const r of hits.values()) {
      impact += r.impact;
      for (const t of r.tags) tags.add(t);
      list.push(toHit(r));
    }
    list.sort((a, b) => b.impact - a.impact || a.id.localeCompare(b.id));
    return { impact, tags: [...tags], hits: list };
  };
}
