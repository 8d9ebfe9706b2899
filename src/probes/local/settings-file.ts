import type { PhpReadOptions, PhpValue } from './php-static.js';
import { PhpArray, Unknown, isKnown, phpString, readPhpFile } from './php-static.js';

/** A value read from a settings file: known, absent, or dependent on something unknown (with why). */
export type SettingValue =
  { state: 'set'; value: string } | { state: 'missing' } | { state: 'unknown'; reason: string };

export interface PathOverride {
  path?: SettingValue;
  url?: SettingValue;
  /** `'*'`: a formula used for both. */
  any?: SettingValue;
}

/** What civicrm.settings.php says, read statically. Secrets stay in memory only: never in evidence. */
export interface CivicrmSettings {
  file: string;
  /** Every file read (includes followed). */
  files: string[];
  uf: SettingValue;
  /** Full DSN including the password: use only to connect, print with redactDsn. */
  dsn: SettingValue;
  siteKey: SettingValue;
  credKeys: SettingValue;
  signKeys: SettingValue;
  templateCompileDir: SettingValue;
  baseUrl: SettingValue;
  logFile: SettingValue;
  domainId: number;
  civicrmRoot: SettingValue;
  /** `$civicrm_setting[group][name]` overrides flattened by name (later groups win). */
  overrides: Record<string, SettingValue | { state: 'set'; value: string | number | boolean | null }>;
  /** `$civicrm_paths[name]`. */
  paths: Record<string, PathOverride>;
  notes: string[];
}

function toSetting(v: PhpValue | undefined): SettingValue {
  if (v === undefined) return { state: 'missing' };
  if (v instanceof Unknown) {
    if (/is not defined here|is not set/.test(v.reason)) return { state: 'missing' };
    return { state: 'unknown', reason: v.reason };
  }
  const s = phpString(v);
  if (s instanceof Unknown) return { state: 'unknown', reason: s.reason };
  return { state: 'set', value: s };
}

function overrideValue(
  v: PhpValue | undefined,
): SettingValue | { state: 'set'; value: string | number | boolean | null } {
  if (v === undefined) return { state: 'missing' };
  if (v instanceof Unknown) return { state: 'unknown', reason: v.reason };
  if (v instanceof PhpArray) return { state: 'unknown', reason: 'an array value' };
  return { state: 'set', value: v };
}

/** Reads civicrm.settings.php (and what it includes). Throws CiviguardError on unreadable/syntax errors. */
export function readCivicrmSettings(file: string, opts: PhpReadOptions = {}): CivicrmSettings {
  const r = readPhpFile(file, opts);
  const c = (name: string) => toSetting(r.constants.get(name));
  const overrides: CivicrmSettings['overrides'] = {};
  const groups = r.variables.get('civicrm_setting');
  if (groups instanceof PhpArray) {
    for (const group of groups.values()) {
      if (!(group instanceof PhpArray)) continue;
      for (const [name, v] of group) overrides[name] = overrideValue(v);
    }
  } else if (groups instanceof Unknown) {
    r.notes.push(`$civicrm_setting: ${groups.reason}`);
  }
  const paths: Record<string, PathOverride> = {};
  const pv = r.variables.get('civicrm_paths');
  if (pv instanceof PhpArray) {
    for (const [name, entry] of pv) {
      if (!(entry instanceof PhpArray)) continue;
      const o: PathOverride = {};
      if (entry.has('path')) o.path = toSetting(entry.get('path'));
      if (entry.has('url')) o.url = toSetting(entry.get('url'));
      if (entry.has('*')) o.any = toSetting(entry.get('*'));
      paths[name] = o;
    }
  }
  const domain = r.constants.get('CIVICRM_DOMAIN_ID');
  const root = r.variables.get('civicrm_root');
  return {
    file: r.files[0] ?? file,
    files: r.files,
    uf: c('CIVICRM_UF'),
    dsn: c('CIVICRM_DSN'),
    siteKey: c('CIVICRM_SITE_KEY'),
    credKeys: c('CIVICRM_CRED_KEYS'),
    signKeys: c('CIVICRM_SIGN_KEYS'),
    templateCompileDir: c('CIVICRM_TEMPLATE_COMPILEDIR'),
    baseUrl: c('CIVICRM_UF_BASEURL'),
    logFile: c('CIVICRM_LOG_FILE'),
    domainId: isKnown(domain) && Number(domain) > 0 ? Number(domain) : 1,
    civicrmRoot: toSetting(root),
    overrides,
    paths,
    notes: r.notes,
  };
}
