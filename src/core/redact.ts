/**
 * Redaction of secrets before anything is printed, logged or written into a report.
 * Applied by every reporter to messages and evidence (defence in depth: probes should not put secrets
 * into facts in the first place).
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]+):([^\s@/]+)@/gi;
const KEY_VALUE =
  /(?<![A-Za-z])(pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|site[_-]?key|cred[_-]?keys?|sign[_-]?keys?|private[_-]?key)(["']?\s*[:=]>?\s*["']?|["']\s*,\s*["'])([^\s"'&,;]+)/gi;
const AGE_SECRET = /AGE-SECRET-KEY-1[0-9A-Z]+/g;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export const REDACTED = '***';

export function redactString(s: string): string {
  return s
    .replace(PEM_PRIVATE, '-----PRIVATE KEY ' + REDACTED + '-----')
    .replace(AGE_SECRET, 'AGE-SECRET-KEY-' + REDACTED)
    .replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(KEY_VALUE, (_m, k: string, sep: string) => `${k}${sep}${REDACTED}`);
}

/** Redacts a DSN such as mysql://user:pass@host/db for display. */
export function redactDsn(dsn: string): string {
  try {
    const u = new URL(dsn);
    if (u.password) u.password = REDACTED;
    return u.toString().replace(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return redactString(dsn);
  }
}

const SECRET_KEY_NAMES =
  /^(?:pass|passwd|password|passphrase|secret|token|api_?key|site_?key|cred_?keys?|sign_?keys?|private_?key|dsn|\w*(?:Password|Passphrase|Secret|Token|Dsn|DSN))$/i;

/** Deep copy of a JSON-like value with secret-looking strings and secret-named fields redacted. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (depth > 20) return value;
  if (typeof value === 'string') return redactString(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'string' && SECRET_KEY_NAMES.test(k)) {
        out[k] = /dsn/i.test(k) ? redactDsn(v) : v.length === 0 ? v : REDACTED;
      } else out[k] = redactDeep(v, depth + 1);
    }
    return out as T;
  }
  return value;
}
