import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { didYouMean } from './did-you-mean.js';
import { CiviguardError, describeError } from './errors.js';
import { SEVERITIES } from './severity.js';
import { CMS_NAMES } from './target.js';

/**
 * The audit config file (YAML). Every `audit` flag has a key of the same camelCase name, plus policy
 * keys. Unknown keys are errors with a "did you mean".
 */
export interface AuditConfig {
  url?: string;
  root?: string;
  cms?: string;
  resolve?: string[];
  ca?: string[];
  ssh?: string;
  ftp?: string;
  db?: string;
  accessLog?: string[];
  only?: string[];
  skip?: string[];
  format?: string;
  output?: string;
  failOn?: string;
  webUser?: string;
  useSiteDb?: boolean;
  allowErrors?: boolean;
  httpUrl?: string;
  timeout?: number;
  allowedCountries?: string[];
  backupMaxAgeHours?: number;
  drillMaxAgeDays?: number;
  backupRepos?: string[];
}

const str = { type: 'string', minLength: 1 } as const;
const strList = { type: 'array', items: str } as const;

export const AUDIT_CONFIG_SCHEMA = {
  $id: 'https://civiguard.dev/schema/audit-config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    url: str,
    root: str,
    cms: { enum: ['auto', ...CMS_NAMES.filter((c) => c !== 'unknown')] },
    resolve: strList,
    ca: strList,
    ssh: str,
    ftp: str,
    db: str,
    accessLog: strList,
    only: strList,
    skip: strList,
    format: { enum: ['text', 'json', 'sarif', 'html', 'junit'] },
    output: str,
    failOn: { enum: [...SEVERITIES] },
    webUser: str,
    useSiteDb: { type: 'boolean' },
    allowErrors: { type: 'boolean' },
    httpUrl: str,
    timeout: { type: 'integer', minimum: 100, maximum: 600_000 },
    allowedCountries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } },
    backupMaxAgeHours: { type: 'number', exclusiveMinimum: 0 },
    drillMaxAgeDays: { type: 'number', exclusiveMinimum: 0 },
    backupRepos: strList,
  },
} as const;

export const AUDIT_CONFIG_KEYS = Object.keys(AUDIT_CONFIG_SCHEMA.properties);

const ajv = new Ajv({ allErrors: true, strict: true });
const validateAudit = ajv.compile(AUDIT_CONFIG_SCHEMA);

function explain(file: string, errors: ErrorObject[], known: readonly string[]): string {
  const e = errors[0]!;
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty: string }).additionalProperty);
    return `${file}: unknown key '${key}'${didYouMean(key, known)}`;
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.join(', ');
    return `${file}: ${where} must be one of: ${allowed}`;
  }
  return `${file}: ${where} ${e.message ?? 'is invalid'}`;
}

/** Parses and validates YAML text against a schema; throws E_CONFIG with one actionable line. */
export function parseConfigText<T>(
  text: string,
  file: string,
  validate: ((v: unknown) => boolean) & { errors?: ErrorObject[] | null },
  known: readonly string[],
): T {
  let data: unknown;
  try {
    data = parseYaml(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (e) {
    throw new CiviguardError('E_CONFIG', `${file}: not valid YAML: ${describeError(e)}`);
  }
  if (data === null || data === undefined) data = {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new CiviguardError('E_CONFIG', `${file}: expected a mapping of keys to values at the top level`);
  }
  if (!validate(data))
    throw new CiviguardError('E_CONFIG_SCHEMA', explain(file, validate.errors ?? [], known));
  return data as T;
}

export function loadAuditConfig(file: string): AuditConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CiviguardError('E_CONFIG', `cannot read config ${file}: ${describeError(e)}`);
  }
  if (text.length > 1024 * 1024) throw new CiviguardError('E_CONFIG', `${file}: larger than 1 MiB`);
  return parseConfigText<AuditConfig>(text, file, validateAudit, AUDIT_CONFIG_KEYS);
}
