/**
 * Traffic for the demo site's access log, sent before the audit: a few ordinary visits and the attack
 * attempts below, from their own loopback addresses where the system allows binding them (Linux routes
 * all of 127.0.0.0/8 to the loopback interface), else from 127.0.0.1. The site answers them as it
 * answers anyone, so several attacks get a 200: that is what ids.events reports.
 */
import { request } from 'node:http';
import { CiviguardError, describeError } from '../core/errors.js';
import type { DemoSite } from './site.js';
import { DEMO_HOST } from './site.js';

export interface DemoRequest {
  /** Source address on loopback. */
  from: string;
  /** Request target exactly as sent (the log shows it so). */
  path: string;
  userAgent: string;
  /** Part of the planted attacks (the others are ordinary visits). */
  attack: boolean;
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const SQLMAP = 'sqlmap/1.7.2#stable (https://sqlmap.org)';
const NIKTO = 'Mozilla/5.00 (Nikto/2.1.6) (Evasions:None) (Test:000001)';

const visit = (path: string): DemoRequest => ({ from: '127.0.0.1', path, userAgent: BROWSER, attack: false });

/** In the order sent. Targets carry what a client can put on a request line (spaces encoded). */
export const DEMO_TRAFFIC: readonly DemoRequest[] = [
  visit('/'),
  visit('/sites/default/files/css/css_demo.css'),
  visit('/civicrm/contribute/transact?reset=1&id=1'),
  // SQL injection (answered 200: the front page ignores the parameter, the log cannot tell).
  { from: '127.0.0.23', path: "/?id=1'%20OR%20'1'='1", userAgent: SQLMAP, attack: true },
  {
    from: '127.0.0.23',
    path: '/civicrm/contribute/transact?reset=1&id=1%20UNION%20SELECT%20name,pass%20FROM%20users--',
    userAgent: SQLMAP,
    attack: true,
  },
  // Cross-site scripting: one on a page that does not exist (404), one on the event form (200).
  { from: '127.0.0.42', path: '/civicrm/?q=<script>alert(1)</script>', userAgent: BROWSER, attack: true },
  {
    from: '127.0.0.42',
    path: '/civicrm/event/register?reset=1&id=1"><script>alert(document.cookie)</script>',
    userAgent: BROWSER,
    attack: true,
  },
  visit('/civicrm/event/register?reset=1&id=1'),
  // Path traversal and secret-file probes by a scanner: the dump and .git answer 200.
  { from: '127.0.0.77', path: '/../../etc/passwd', userAgent: NIKTO, attack: true },
  { from: '127.0.0.77', path: '/sites/default/civicrm.settings.php.bak', userAgent: NIKTO, attack: true },
  { from: '127.0.0.77', path: '/backup.sql', userAgent: NIKTO, attack: true },
  { from: '127.0.0.77', path: '/.git/config', userAgent: NIKTO, attack: true },
  visit('/user/login'),
];

function send(site: DemoSite, r: DemoRequest, signal: AbortSignal | undefined, bind: boolean) {
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: site.httpPort,
        path: r.path,
        headers: { host: `${DEMO_HOST}:${site.httpPort}`, 'user-agent': r.userAgent, connection: 'close' },
        ...(bind ? { localAddress: r.from } : {}),
        ...(signal ? { signal } : {}),
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

/** Sends DEMO_TRAFFIC to the site's plain-http side, one request after the other; returns the statuses. */
export async function sendDemoTraffic(site: DemoSite, signal?: AbortSignal): Promise<number[]> {
  const statuses: number[] = [];
  let bind = true;
  for (const r of DEMO_TRAFFIC) {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const binding = bind && r.from !== '127.0.0.1';
      try {
        statuses.push(await send(site, r, signal, binding));
        break;
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        const code = (e as { code?: string }).code;
        // Only 127.0.0.1 is configured here (not Linux): every request comes from it instead.
        if (binding && (code === 'EADDRNOTAVAIL' || code === 'EINVAL')) {
          bind = false;
          continue;
        }
        throw new CiviguardError(
          'E_INTERNAL',
          `demo: the demo site did not answer ${r.path}: ${describeError(e)}`,
        );
      }
    }
  }
  return statuses;
}
