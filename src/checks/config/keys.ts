import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { layoutProbe } from '../../probes/local/layout.js';
import type { SettingValue } from '../../probes/local/settings-file.js';

/** Values installers and docs leave in place of a real key. */
const PLACEHOLDER =
  /^(%%\w+%%|\?+|x+|changeme|change[-_ ]?me|your[-_ ]?(site[-_ ]?)?key|secret|sitekey|site[-_]?key|null|none|default|example|test|1234567890?)$/i;

export interface KeyStrength {
  length: number;
  alphabet: number;
  bits: number;
}

/** Strength estimate: length × log2 of the alphabet the characters come from (SPEC §3). */
export function keyStrength(key: string): KeyStrength {
  const chars = [...key];
  let alphabet: number;
  if (/^[0-9]+$/.test(key)) alphabet = 10;
  else if (/^[0-9a-f]+$/.test(key) || /^[0-9A-F]+$/.test(key)) alphabet = 16;
  else if (/^[a-z]+$/.test(key) || /^[A-Z]+$/.test(key)) alphabet = 26;
  else if (/^[a-z0-9]+$/.test(key) || /^[A-Z0-9]+$/.test(key)) alphabet = 36;
  else if (/^[A-Za-z]+$/.test(key)) alphabet = 52;
  else if (/^[A-Za-z0-9]+$/.test(key)) alphabet = 62;
  else if (/^[A-Za-z0-9+/=_-]+$/.test(key)) alphabet = 64;
  else alphabet = 95;
  // A key made of a handful of characters ('aaaa…', 'abababab…') has that many symbols, not the class's.
  const distinct = new Set(chars).size;
  if (distinct <= 4) alphabet = Math.min(alphabet, distinct);
  const bits = alphabet <= 1 ? 0 : chars.length * Math.log2(alphabet);
  return { length: chars.length, alphabet, bits: Math.round(bits * 10) / 10 };
}

/** The key material of a CIVICRM_CRED_KEYS / SIGN_KEYS list entry `<suite>:<encoding>:<key>`. */
function keyMaterial(entry: string): string {
  const parts = entry.split(':');
  return parts.length >= 3 ? parts.slice(2).join(':') : entry;
}

function unknownOrMissing(v: SettingValue, what: string, outcome: string): Finding | null {
  if (v.state === 'unknown')
    return { outcome, status: 'skip', message: `${what} cannot be read statically: ${v.reason}` };
  return null;
}

export default defineCheck({
  id: 'config.keys',
  area: 'config',
  title: "CiviCRM's secret keys",
  severity: 'error',
  seed: 'Passwords',
  description:
    'Reads civicrm.settings.php (statically, nothing is executed). CIVICRM_SITE_KEY missing, a placeholder, or under 96 bits (estimated as length × log2 of the alphabet its characters come from) fails; so does an empty CIVICRM_CRED_KEYS (stored credentials such as SMTP and payment processor passwords are then kept in plain text) and a missing CIVICRM_SIGN_KEYS. Key values are never printed.',
  remediation:
    "Generate keys with `cv` or `openssl rand -base64 32`: `define('CIVICRM_SITE_KEY', '<32+ random chars>')`, `define('CIVICRM_CRED_KEYS', 'aes-cbc:hkdf-sha256:<random>')`, `define('CIVICRM_SIGN_KEYS', 'jwt-hs256:hkdf-sha256:<random>')`; after adding CRED_KEYS run `cv api4 System.rotateKey tag=CRED` so stored credentials are encrypted. Keep an escrowed copy (backup.key-escrow).",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/site-key/',
    'https://docs.civicrm.org/sysadmin/en/latest/setup/secret-keys/',
  ],
  outcomes: {
    'site-key': { title: 'CIVICRM_SITE_KEY missing, placeholder or weak', severity: 'error' },
    'cred-keys': {
      title: 'CIVICRM_CRED_KEYS empty: stored credentials in plain text',
      severity: 'error',
    },
    'sign-keys': { title: 'CIVICRM_SIGN_KEYS missing', severity: 'error' },
  },
  probes: { layout: layoutProbe },
  mode: 'local',
  run({ layout }) {
    const s = layout.settings;
    if (!s) {
      const p = layout.settingsProblem ?? {
        status: 'skip' as const,
        reason: 'civicrm.settings.php not read',
      };
      return [{ status: p.status, message: p.reason }];
    }
    const file = { file: s.file };
    const out: Finding[] = [];

    const site = s.siteKey;
    const siteUnknown = unknownOrMissing(site, 'CIVICRM_SITE_KEY', 'site-key');
    if (siteUnknown) out.push(siteUnknown);
    else if (site.state === 'missing' || (site.state === 'set' && site.value.trim() === ''))
      out.push({
        outcome: 'site-key',
        status: 'fail',
        message: `CIVICRM_SITE_KEY is not defined in ${s.file}`,
        evidence: file,
      });
    else if (site.state === 'set' && PLACEHOLDER.test(site.value.trim()))
      out.push({
        outcome: 'site-key',
        status: 'fail',
        message: 'CIVICRM_SITE_KEY is still a placeholder value',
        evidence: file,
      });
    else if (site.state === 'set') {
      const st = keyStrength(site.value);
      if (st.bits < 96)
        out.push({
          outcome: 'site-key',
          status: 'fail',
          message: `CIVICRM_SITE_KEY is about ${st.bits} bits (${st.length} characters from a ${st.alphabet}-symbol alphabet), under 96`,
          evidence: { ...file, ...st },
        });
      else
        out.push({
          outcome: 'site-key',
          status: 'pass',
          message: `CIVICRM_SITE_KEY ≈ ${st.bits} bits (${st.length} characters)`,
          evidence: { ...file, ...st },
        });
    }

    const cred = s.credKeys;
    const credUnknown = unknownOrMissing(cred, 'CIVICRM_CRED_KEYS', 'cred-keys');
    if (credUnknown) out.push(credUnknown);
    else {
      const keys =
        cred.state === 'set'
          ? cred.value
              .split(/\s+/)
              .filter((k) => keyMaterial(k).length > 0 && !PLACEHOLDER.test(keyMaterial(k)))
          : [];
      if (keys.length === 0)
        out.push({
          outcome: 'cred-keys',
          status: 'fail',
          message: `CIVICRM_CRED_KEYS is ${cred.state === 'missing' ? 'not defined' : 'empty'}: CiviCRM stores credentials (SMTP, payment processors) in plain text`,
          evidence: file,
        });
      else
        out.push({
          outcome: 'cred-keys',
          status: 'pass',
          message: `CIVICRM_CRED_KEYS has ${keys.length} key(s)`,
          evidence: { ...file, keys: keys.length },
        });
    }

    const sign = s.signKeys;
    const signUnknown = unknownOrMissing(sign, 'CIVICRM_SIGN_KEYS', 'sign-keys');
    if (signUnknown) out.push(signUnknown);
    else {
      const keys =
        sign.state === 'set'
          ? sign.value
              .split(/\s+/)
              .filter((k) => keyMaterial(k).length > 0 && !PLACEHOLDER.test(keyMaterial(k)))
          : [];
      if (keys.length === 0)
        out.push({
          outcome: 'sign-keys',
          status: 'fail',
          message: `CIVICRM_SIGN_KEYS is ${sign.state === 'missing' ? 'not defined' : 'empty'}`,
          evidence: file,
        });
      else
        out.push({
          outcome: 'sign-keys',
          status: 'pass',
          message: `CIVICRM_SIGN_KEYS has ${keys.length} key(s)`,
          evidence: { ...file, keys: keys.length },
        });
    }
    return out;
  },
});
