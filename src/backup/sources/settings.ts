/**
 * What `backup` needs from civicrm.settings.php, read statically (never evaluated): the DSN constants
 * (which databases to dump) and which secret constants exist (for the escrow record). A value built
 * from `getenv()`, concatenation or variables is reported as unknown rather than guessed.
 */
export const SECRET_CONSTANTS = [
  'CIVICRM_SITE_KEY',
  'CIVICRM_CRED_KEYS',
  'CIVICRM_SIGN_KEYS',
  'CIVICRM_DEPLOY_ID',
];
export const DSN_CONSTANTS = ['CIVICRM_DSN', 'CIVICRM_UF_DSN', 'CIVICRM_LOGGING_DSN'];

export interface SettingsConstants {
  /** Constants with a plain string literal value. */
  values: Record<string, string>;
  /** Constants that are defined, but not by a plain literal (getenv, concatenation…). */
  dynamic: string[];
}

const DEFINE = /\bdefine\s*\(\s*(['"])([A-Z_][A-Z0-9_]*)\1\s*,\s*([^;]*?)\)\s*;/g;
const LITERAL = /^(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\$]|\\.)*)")$/s;

export function readSettingsConstants(php: string): SettingsConstants {
  const out: SettingsConstants = { values: {}, dynamic: [] };
  // drop comments so a commented-out define does not count
  const code = php.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"])\/\/[^\n]*|#[^\n]*/g, '$1');
  for (const m of code.matchAll(DEFINE)) {
    const name = m[2]!;
    const lit = LITERAL.exec(m[3]!.trim());
    if (lit) {
      const raw = lit[1] ?? lit[2] ?? '';
      out.values[name] =
        lit[1] !== undefined ? raw.replace(/\\(['\\])/g, '$1') : raw.replace(/\\(["\\$])/g, '$1');
    } else if (!out.dynamic.includes(name)) out.dynamic.push(name);
  }
  return out;
}
