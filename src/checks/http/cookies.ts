import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import { pageResponses } from '../../probes/http/page-fetch.js';
import { pagesProbe } from '../../probes/http/pages.js';
import type { SetCookie } from '../../probes/http/set-cookie.js';
import { isDeletion, parseSetCookie, validSameSite } from '../../probes/http/set-cookie.js';

/** Which software's session cookie a name is (SPEC §3), or null for any other cookie. */
export function sessionCookieKind(name: string): string | null {
  if (/^SESSCIVISO/i.test(name)) return 'CiviCRM Standalone';
  if (/^S?SESS[0-9a-f]{16,}$/i.test(name)) return 'Drupal/Backdrop';
  if (name === 'wordpress_test_cookie') return null;
  if (/^wordpress_(logged_in_|sec_)?[0-9a-f]{16,}$/i.test(name)) return 'WordPress';
  if (/^[0-9a-f]{32}$/i.test(name)) return 'Joomla';
  if (name === 'PHPSESSID') return 'PHP session';
  return null;
}

interface Seen {
  name: string;
  kind: string;
  page: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
}

const ATTRS = [
  { outcome: 'secure', label: 'Secure', has: (c: Seen) => c.secure },
  { outcome: 'httponly', label: 'HttpOnly', has: (c: Seen) => c.httpOnly },
  { outcome: 'samesite', label: 'SameSite', has: (c: Seen) => c.sameSite !== null },
] as const;

export default defineCheck({
  id: 'http.cookies',
  area: 'http',
  title: 'Session cookie attributes',
  severity: 'error',
  seed: 'Unauthorised data access (session hijack)',
  description:
    'Reads the Set-Cookie headers of every https response fetched (front page, login, admin, contribution and event pages, redirects included) and picks the session cookies: Drupal/Backdrop `SESS…`/`SSESS…`, WordPress `wordpress_logged_in_…`, `wordpress_sec_…`, `wordpress_<hash>` (not `wordpress_test_cookie`), Joomla’s 32-hex name, `PHPSESSID`, Standalone `SESSCIVISO`. Without `Secure`: error; without `HttpOnly`: warning; without `SameSite`: notice. Deletions are ignored; no session cookie seen: skip.',
  remediation:
    'Mark session cookies `Secure; HttpOnly; SameSite=Lax`: PHP `session.cookie_secure = 1`, `session.cookie_httponly = 1`, `session.cookie_samesite = Lax` (php.ini or the CMS settings); serve the site on https only.',
  references: [
    'https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#security',
    'https://owasp.org/www-community/controls/SecureCookieAttribute',
  ],
  outcomes: {
    secure: { title: 'Session cookies carry Secure', severity: 'error' },
    httponly: { title: 'Session cookies carry HttpOnly', severity: 'warning' },
    samesite: { title: 'Session cookies carry SameSite', severity: 'notice' },
  },
  probes: { pages: pagesProbe },
  mode: 'remote',
  run({ pages }): Finding[] {
    const now = Date.now();
    const seen = new Map<string, Seen>();
    const others = new Set<string>();
    let responses = 0;
    for (const page of pages.pages) {
      for (const r of pageResponses(page)) {
        if (!r.url.startsWith('https:')) continue;
        responses++;
        for (const header of r.setCookies) {
          const c: SetCookie | null = parseSetCookie(header);
          if (!c || isDeletion(c, now)) continue;
          const kind = sessionCookieKind(c.name);
          if (!kind) {
            others.add(c.name);
            continue;
          }
          const s: Seen = {
            name: c.name,
            kind,
            page: r.url,
            secure: c.secure,
            httpOnly: c.httpOnly,
            sameSite: validSameSite(c),
          };
          const prev = seen.get(c.name);
          // The same cookie set twice: the weakest setting counts.
          seen.set(
            c.name,
            prev
              ? {
                  ...prev,
                  secure: prev.secure && s.secure,
                  httpOnly: prev.httpOnly && s.httpOnly,
                  sameSite: prev.sameSite && s.sameSite,
                }
              : s,
          );
        }
      }
    }
    const cookies = [...seen.values()];
    if (cookies.length === 0) {
      const other = others.size ? `; other cookies: ${[...others].slice(0, 10).join(', ')}` : '';
      return [
        {
          status: 'skip',
          message: `no session cookie was set on the ${responses} https responses fetched (front page and ${pages.pages.length - 1} login/admin/CiviCRM pages; sessions usually start at login)${other}`,
        },
      ];
    }
    return ATTRS.map(({ outcome, label, has }) => {
      const lacking = cookies.filter((c) => !has(c));
      const evidence = { cookies: cookies.map((c) => ({ ...c })) };
      if (lacking.length === 0) {
        return {
          outcome,
          status: 'pass',
          message: `${label} on ${cookies.map((c) => c.name).join(', ')}`,
          evidence,
        };
      }
      return {
        outcome,
        status: 'fail',
        message: `${lacking.map((c) => `${c.name} (${c.kind}, set by ${c.page})`).join('; ')} without ${label}`,
        evidence,
      };
    });
  },
});
