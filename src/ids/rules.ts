/**
 * Rules as data: `rules/*.yaml` at the package root. Two kinds share one schema:
 * - pattern rules: a regular expression tried on the normalised value (linear-time; the ReDoS gate in
 *   rules.test.ts proves every pattern with recheck);
 * - detector features: named results of the tokenizer-based detectors (src/ids/detectors), whose impact,
 *   tags and wording live here so that scoring is data, not code.
 * Files are validated on load; a mistake throws a CiviguardError naming the file, the rule and the field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { didYouMean } from '../core/did-you-mean.js';
import { CiviguardError } from '../core/errors.js';
import type { Tag } from './types.js';
import { TAGS } from './types.js';

export const DETECTORS = ['sql', 'xss', 'shell', 'path'] as const;
export type DetectorName = (typeof DETECTORS)[number];
export type RuleMode = 'string' | 'html';
export type RuleTarget = 'text' | 'raw' | 'flat';

export interface Rule {
  id: string;
  description: string;
  tags: Tag[];
  impact: number;
  modes: RuleMode[];
  /** Pattern rules. */
  pattern?: RegExp;
  on: RuleTarget;
  needs: string[];
  /** Detector features. */
  detector?: DetectorName;
  file: string;
}

export interface RuleSet {
  rules: Rule[];
  byId: Map<string, Rule>;
  /** Pattern rules by mode. */
  patterns: Record<RuleMode, Rule[]>;
}

const KEYS = ['id', 'description', 'tags', 'impact', 'modes', 'pattern', 'flags', 'on', 'needs', 'detector'];

/** The package's own rules directory (`<package root>/rules`, from src/ids or dist/ids alike). */
export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

function fail(file: string, where: string, msg: string): never {
  throw new CiviguardError('E_IDS', `rules: ${file}: ${where}: ${msg}`);
}

function validate(raw: unknown, file: string, index: number): Rule {
  const where = `rule #${index + 1}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(file, where, 'must be a mapping');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (!KEYS.includes(k)) fail(file, where, `unknown key '${k}'${didYouMean(k, KEYS)}`);
  }
  const id = r.id;
  if (typeof id !== 'string' || !/^[a-z]+\.[a-z0-9-]+$/.test(id))
    fail(file, where, `id must look like 'area.name', got ${JSON.stringify(id)}`);
  const at = `${where} (${id})`;
  if (typeof r.description !== 'string' || r.description.length < 5) fail(file, at, 'needs a description');
  if (!Array.isArray(r.tags) || r.tags.length === 0) fail(file, at, 'needs tags');
  for (const t of r.tags) {
    if (!TAGS.includes(t as Tag)) fail(file, at, `unknown tag '${String(t)}'${didYouMean(String(t), TAGS)}`);
  }
  if (typeof r.impact !== 'number' || !Number.isInteger(r.impact) || r.impact < 1 || r.impact > 100) {
    fail(file, at, 'impact must be a whole number from 1 to 100');
  }
  const modes = (r.modes ?? ['string']) as unknown[];
  if (!Array.isArray(modes) || modes.some((m) => m !== 'string' && m !== 'html'))
    fail(file, at, "modes must be a list of 'string' / 'html'");
  const on = (r.on ?? 'text') as RuleTarget;
  if (on !== 'text' && on !== 'raw' && on !== 'flat') fail(file, at, "on must be 'text', 'raw' or 'flat'");
  const needs = (r.needs ?? []) as unknown[];
  if (!Array.isArray(needs) || needs.some((x) => typeof x !== 'string' || x.length === 0))
    fail(file, at, 'needs must be a list of strings');
  const rule: Rule = {
    id,
    description: r.description,
    tags: r.tags as Tag[],
    impact: r.impact,
    modes: modes as RuleMode[],
    on,
    needs: needs as string[],
    file,
  };
  if ((r.pattern !== undefined) === (r.detector !== undefined))
    fail(file, at, 'needs exactly one of pattern / detector');
  if (r.pattern !== undefined) {
    if (typeof r.pattern !== 'string' || !r.pattern) fail(file, at, 'pattern must be a string');
    const flags = r.flags ?? '';
    if (typeof flags !== 'string' || !/^[smu]*$/.test(flags))
      fail(file, at, "flags may only use 's', 'm', 'u' (values are lower-cased already)");
    try {
      rule.pattern = new RegExp(r.pattern, flags);
    } catch (e) {
      fail(file, at, `pattern does not compile: ${(e as Error).message}`);
    }
  } else {
    if (!DETECTORS.includes(r.detector as DetectorName))
      fail(file, at, `unknown detector '${String(r.detector)}'${didYouMean(String(r.detector), DETECTORS)}`);
    rule.detector = r.detector as DetectorName;
  }
  return rule;
}

/** Loads every `*.yaml` file of `dir` (sorted), validating each rule; ids must be unique. */
export function loadRules(dir: string = DEFAULT_RULES_DIR): RuleSet {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort();
  } catch (e) {
    throw new CiviguardError('E_IDS', `rules: cannot read ${dir}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new CiviguardError('E_IDS', `rules: no *.yaml files in ${dir}`);
  const rules: Rule[] = [];
  const byId = new Map<string, Rule>();
  for (const f of files) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      throw new CiviguardError(
        'E_IDS',
        `rules: ${f}: not valid YAML: ${(e as Error).message.split('\n')[0]}`,
      );
    }
    if (!Array.isArray(doc)) throw new CiviguardError('E_IDS', `rules: ${f}: must be a list of rules`);
    doc.forEach((raw, i) => {
      const rule = validate(raw, f, i);
      const dup = byId.get(rule.id);
      if (dup) fail(f, rule.id, `duplicate id (also in ${dup.file})`);
      byId.set(rule.id, rule);
      rules.push(rule);
    });
  }
  const patterns: Record<RuleMode, Rule[]> = { string: [], html: [] };
  for (const r of rules) if (r.pattern) for (const m of r.modes) patterns[m].push(r);
  return { rules, byId, patterns };
}

let cached: RuleSet | undefined;
/** The package's rules, loaded once. */
export function defaultRules(): RuleSet {
  cached ??= loadRules();
  return cached;
}
