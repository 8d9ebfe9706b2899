import type { AnyCheck } from '../core/check.js';
import type { Result } from '../core/result.js';
import { checkStatus } from '../core/result.js';
import type { Status } from '../core/severity.js';

/**
 * What the demo site gets wrong on purpose (`fail`), and what it gets right (`pass`: the check must pass;
 * `no-fail`: pass, or skip where remote mode honestly cannot tell). The demo checks itself against this
 * list, so a check that stops detecting a planted problem is caught as a regression.
 */
export interface Planted {
  check: string;
  expect: 'fail' | 'pass' | 'no-fail';
  what: string;
  /**
   * `canary`: the verdict must come from the exact test with --root (a result with the canary's
   * evidence), which proves the canary was written, fetched over HTTP and judged end to end.
   */
  proof?: 'canary';
}

export const PLANTED: readonly Planted[] = [
  // Remote: what anyone on the internet sees.
  {
    check: 'http.redirect',
    expect: 'fail',
    what: 'plain http serves the site instead of redirecting to https',
  },
  {
    check: 'http.redirect-sensitive',
    expect: 'fail',
    what: 'login, admin, contribution and event pages answer over plain http',
  },
  { check: 'http.hsts', expect: 'fail', what: 'no Strict-Transport-Security header' },
  { check: 'http.cookies', expect: 'fail', what: 'SESS… session cookie without Secure, HttpOnly, SameSite' },
  {
    check: 'http.mixed-content',
    expect: 'fail',
    what: 'https pages load a script and an image over http; the contribution form posts to http',
  },
  { check: 'http.disclosure', expect: 'fail', what: 'Server: Apache/2.4.1, X-Powered-By: PHP/7.2.1' },
  { check: 'exposure.listing', expect: 'fail', what: 'directory listings of upload/ and ConfigAndLog/' },
  {
    check: 'exposure.uploads',
    expect: 'fail',
    what: 'a canary file written into upload/ (--root) is served; a contribution receipt there downloads',
    proof: 'canary',
  },
  {
    check: 'exposure.log',
    expect: 'fail',
    what: 'ConfigAndLog/CiviCRM.<hash>.log downloads at the URL --root derives for it',
    proof: 'canary',
  },
  { check: 'exposure.backups', expect: 'fail', what: '/backup.sql, a database dump, downloads' },
  { check: 'exposure.vcs', expect: 'fail', what: '/.git/HEAD and /.git/config are reachable' },
  {
    check: 'access.admin-exposed',
    expect: 'fail',
    what: '/user/login, /admin, /civicrm/admin open to everyone',
  },
  // Local (--root on the demo tree, --access-log): what only the server shows.
  {
    check: 'fs.code-writable',
    expect: 'fail',
    what: 'a world-writable PHP file in a custom module (and the code belongs to the user the site runs as)',
  },
  {
    check: 'fs.settings-perms',
    expect: 'fail',
    what: 'civicrm.settings.php is mode 644: every local user can read the DSN and the keys',
  },
  {
    check: 'fs.backups-in-webroot',
    expect: 'fail',
    what: 'web/backup.sql, a database dump, in the document root',
  },
  {
    check: 'fs.private-in-webroot',
    expect: 'fail',
    what: 'canary files written into upload/ and ConfigAndLog/ are served',
  },
  {
    check: 'config.keys',
    expect: 'fail',
    what: 'an 8-letter CIVICRM_SITE_KEY, an empty CIVICRM_CRED_KEYS, no CIVICRM_SIGN_KEYS',
  },
  { check: 'config.debug', expect: 'fail', what: 'debug_enabled on in civicrm.settings.php, in Production' },
  {
    check: 'config.enable-ssl',
    expect: 'fail',
    what: "CiviCRM's enableSSL off, and the web server does not redirect to https",
  },
  {
    check: 'pci.card-data',
    expect: 'fail',
    what: 'a card number (the Visa test number) in the CiviCRM log, from a debug dump of a payment',
  },
  {
    check: 'ids.events',
    expect: 'fail',
    what: 'the access log: SQL injection, XSS, traversal and secret-file probes, several answered 200',
  },
  // Done right.
  { check: 'tls.available', expect: 'pass', what: 'https answers' },
  { check: 'tls.cert-trusted', expect: 'pass', what: 'the chain verifies to the demo CA (given as --ca)' },
  { check: 'tls.cert-hostname', expect: 'pass', what: 'the certificate names demo.civiguard.test' },
  { check: 'tls.cert-expiry', expect: 'pass', what: 'a fresh 90-day certificate' },
  { check: 'tls.cert-chain', expect: 'pass', what: 'the server sends the intermediate' },
  { check: 'tls.cert-key', expect: 'pass', what: 'EC P-256 keys, SHA-256 signatures' },
  { check: 'tls.protocols', expect: 'pass', what: 'TLS 1.2 and 1.3 only' },
  { check: 'tls.ciphers', expect: 'pass', what: 'forward-secret AEAD suites only' },
  {
    check: 'exposure.settings',
    expect: 'no-fail',
    what: 'settings files execute (no source), editor copies 403',
  },
  {
    check: 'exposure.templates-c',
    expect: 'pass',
    what: 'a canary file written into templates_c/ (--root) is refused (403)',
    proof: 'canary',
  },
  {
    check: 'exposure.custom-files',
    expect: 'pass',
    what: 'a canary file written into custom/ (--root) is refused (403)',
    proof: 'canary',
  },
  { check: 'exposure.unsafe-files', expect: 'no-fail', what: 'no installer, phpinfo or dompdf leftovers' },
];

export interface PlantedVerdict extends Planted {
  /** The check is in the registry; unregistered ones are not required (other checks land over time). */
  registered: boolean;
  /** The check's overall status in the report, or null when the check is not registered (yet). */
  got: Status | null;
  /** Registered and behaved as planted. */
  ok: boolean;
  /** Why not, for the message. */
  problem: string | null;
}

/** A result whose evidence carries the canary's (the exact --root test). */
function byCanary(r: Result): boolean {
  const e = r.evidence as Record<string, unknown> | undefined;
  return !!e && e['canary'] !== undefined && e['canary'] !== null;
}

function problemFor(p: Planted, got: Status, own: readonly Result[]): string | null {
  const status = statusProblem(p, got);
  // An error or a skip where a verdict was due: say why (the check's own reason).
  if (status && (got === 'error' || got === 'skip')) {
    const why = own.find((r) => r.status === got)?.message ?? '';
    return why ? `${status} (${why.length > 200 ? `${why.slice(0, 200)}…` : why})` : status;
  }
  if (status || !p.proof) return status;
  return own.some((r) => r.status === got && byCanary(r))
    ? null
    : `${got}, but not by the canary test (--root): the exact check did not decide it`;
}

function statusProblem(p: Planted, got: Status): string | null {
  switch (p.expect) {
    case 'fail':
      return got === 'fail' ? null : `should fail (planted: ${p.what}) but is ${got}`;
    case 'pass':
      return got === 'pass' ? null : `should pass (done right: ${p.what}) but is ${got}`;
    case 'no-fail':
      return got === 'pass' || got === 'skip'
        ? null
        : `should not fail (done right: ${p.what}) but is ${got}`;
  }
}

/** Compares the report with the planted list; checks that are not registered are not required. */
export function judgePlanted(
  results: readonly Result[],
  registered: readonly Pick<AnyCheck, 'id'>[],
  planted: readonly Planted[] = PLANTED,
): PlantedVerdict[] {
  const ids = new Set(registered.map((c) => c.id));
  return planted.map((p) => {
    if (!ids.has(p.check)) return { ...p, registered: false, got: null, ok: true, problem: null };
    const own = results.filter((r) => r.check === p.check);
    if (own.length === 0)
      return { ...p, registered: true, got: null, ok: false, problem: 'registered but produced no result' };
    const got = checkStatus(own);
    const problem = problemFor(p, got, own);
    return { ...p, registered: true, got, ok: problem === null, problem };
  });
}
