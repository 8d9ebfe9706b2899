/**
 * `backup run --config FILE`: the same settings as the flags, in YAML, validated with a schema (unknown
 * keys are errors with a "did you mean"). Flags add to lists and override scalars.
 *
 *   repos: [/srv/backup/civicrm, "sftp://backup@offsite.example.net/srv/civicrm"]
 *   optionalRepos: ["s3://bucket/civicrm?endpoint=https://s3.example.net"]
 *   settings: /var/www/site/sites/default/civicrm.settings.php   # dumps CIVICRM_DSN, CIVICRM_UF_DSN, CIVICRM_LOGGING_DSN
 *   siteRoot: /var/www/site            # adds the CiviCRM data dirs (upload, custom, persist, ext) found there
 *   databases: ["mysql://backup:…@localhost/civicrm"]
 *   paths: [/var/www/site/sites/default/files/civicrm]
 *   exclude: ["*.tmp"]
 *   cacheDir: /var/cache/civiguard
 *   level: auto                        # or a zstd level, -5…19
 *   tags: [nightly]
 *   schedule: "15 3 * * *"
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parseConfigText } from '../core/config.js';
import { CiviguardError, describeError } from '../core/errors.js';

import { parseDsn } from './sources/dsn.js';
import { DSN_CONSTANTS, readSettingsConstants } from './sources/settings.js';

export interface BackupRunConfig {
  repos?: string[];
  optionalRepos?: string[];
  settings?: string;
  siteRoot?: string;
  databases?: string[];
  paths?: string[];
  exclude?: string[];
  defaultExcludes?: boolean;
  cacheDir?: string;
  level?: number | 'auto';
  tags?: string[];
  schedule?: string;
}

const str = { type: 'string', minLength: 1 } as const;
const strList = { type: 'array', items: str } as const;
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    repos: strList,
    optionalRepos: strList,
    settings: str,
    siteRoot: str,
    databases: strList,
    paths: strList,
    exclude: strList,
    defaultExcludes: { type: 'boolean' },
    cacheDir: str,
    level: { anyOf: [{ type: 'integer', minimum: -5, maximum: 19 }, { const: 'auto' }] },
    tags: strList,
    schedule: str,
  },
} as const;
const validate = new Ajv({ allErrors: true, strict: true }).compile(SCHEMA);

export function loadRunConfig(file: string): BackupRunConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CiviguardError('E_CONFIG', `cannot read config ${file}: ${describeError(e)}`);
  }
  if (text.length > 1024 * 1024) throw new CiviguardError('E_CONFIG', `${file}: larger than 1 MiB`);
  return parseConfigText<BackupRunConfig>(text, file, validate, Object.keys(SCHEMA.properties));
}

/**
 * The databases a civicrm.settings.php names: CIVICRM_DSN, CIVICRM_UF_DSN (the CMS database, when it
 * is a separate one) and CIVICRM_LOGGING_DSN; each once. A DSN built at runtime is an error with the
 * reason: give it with --db instead.
 */
export function databasesFromSettings(file: string): string[] {
  let php: string;
  try {
    php = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CiviguardError('E_USAGE', `--settings ${file}: ${describeError(e)}`);
  }
  const c = readSettingsConstants(php);
  const out: string[] = [];
  const seen = new Set<string>();
  for (const name of DSN_CONSTANTS) {
    if (c.dynamic.includes(name)) {
      throw new CiviguardError(
        'E_USAGE',
        `--settings ${file}: ${name} is computed at runtime (getenv, concatenation): give it with --db`,
      );
    }
    const v = c.values[name];
    if (!v) continue;
    const d = parseDsn(v, `${name} in ${file}`);
    const key = `${d.socket ?? `${d.host}:${d.port}`}/${d.database}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  if (!out.length) throw new CiviguardError('E_USAGE', `--settings ${file}: no CIVICRM_DSN found`);
  return out;
}
