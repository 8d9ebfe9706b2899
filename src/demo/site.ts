/**
 * civiguard's built-in demo site: a deliberately misconfigured CiviCRM-on-Drupal site on 127.0.0.1,
 * with its own HTTP and HTTPS listeners on ephemeral ports and a certificate chain made at start from a
 * throw-away CA. What is wrong (and what is right) on it is listed in `planted.ts`.
 *
 * Nothing here is real: the names, the dump and the log are made up. Every URL in its pages points back
 * at the demo host itself, so even a browser opening them stays on loopback.
 *
 * @example
 * const site = await startDemoSite();
 * // civiguard audit site.url --resolve site.resolve[0] --resolve site.resolve[1] --http-url site.httpUrl
 * await site.close();
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server, Socket } from 'node:net';
import { CiviguardError, describeError } from '../core/errors.js';
import { createCa, issueCert } from '../pki/index.js';

export const DEMO_HOST = 'demo.civiguard.test';

export interface DemoSiteOptions {
  /** Holds every response this long (tests use it to interrupt an audit half-way). */
  responseDelayMs?: number;
}

export interface DemoSite {
  /** The https side, `https://demo.civiguard.test:<port>/`. */
  url: string;
  /** The plain-http side (`--http-url`). */
  httpUrl: string;
  /** `--resolve` pins for both ports to 127.0.0.1. */
  resolve: string[];
  /** The throw-away root CA to trust (`--ca`). */
  caPem: string;
  httpsPort: number;
  httpPort: number;
  /** Stops both listeners and cuts open connections; safe to call twice. */
  close(): Promise<void>;
}

const FILES = '/sites/default/files/civicrm';
const LOG_NAME = 'CiviCRM.5f3a9c2e7b1d4086.log';
const SESSION_COOKIE = 'SESS6c4b2e1f0a9d8c7b6a5f4e3d2c1b0a99';
const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
].join(':');

interface Page {
  status: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

function drupalPage(title: string, content: string, httpOrigin: string, extraHead = ''): string {
  return `<!DOCTYPE html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
<title>${title} | Friends of the Demo Park</title>
<link rel="stylesheet" media="all" href="/sites/default/files/css/css_demo.css">
<script src="${httpOrigin}/sites/all/modules/civicrm/js/Common.js"></script>
${extraHead}</head>
<body class="path-frontpage">
<header><a href="/">Friends of the Demo Park</a> · <a href="/civicrm/contribute/transact?reset=1&amp;id=1">Donate</a> · <a href="/civicrm/event/register?reset=1&amp;id=1">Volunteer day</a> · <a href="/user/login">Log in</a></header>
<main>
<h1>${title}</h1>
${content}
</main>
<footer>This is civiguard's demo site: a deliberately misconfigured CiviCRM on Drupal. Nothing here is real.</footer>
<script type="application/json" data-drupal-selector="drupal-settings-json">{"path":{"baseUrl":"/","currentPath":"node"},"civicrm":{"resourceBase":"/sites/all/modules/civicrm/"}}</script>
</body>
</html>
`;
}

/** nginx's autoindex page for a directory and its files. */
function autoindex(path: string, files: { name: string; size: number }[]): string {
  const rows = files
    .map(
      (f) =>
        `<a href="${f.name}">${f.name}</a>${' '.repeat(Math.max(1, 51 - f.name.length))}12-Mar-2024 10:12` +
        String(f.size).padStart(20),
    )
    .join('\n');
  return `<html>
<head><title>Index of ${path}</title></head>
<body>
<h1>Index of ${path}</h1><hr><pre><a href="../">../</a>
${rows}
</pre><hr></body>
</html>
`;
}

const RECEIPT_PDF = `%PDF-1.4
% civiguard demo: a contribution receipt that should never be reachable from the web
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj
trailer << /Root 1 0 R >>
%%EOF
`;

const IMPORT_CSV = `first_name,last_name,email,amount
Demo,Donor,donor@example.org,25.00
Sample,Member,member@example.org,60.00
`;

const LOG = `Mar 12 10:12:01  [info] $Fatal Error Details = array(3) {
  ["message"]=> string(41) "Payment processor declined the transaction"
  ["contact_id"]=> int(1)
  ["contribution_page"]=> int(1)
}
Mar 12 10:14:40  [debug] civicrm_api3('Contact', 'get', {"email":"donor@example.org"})
`;

const DUMP = `-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: civicrm_demo
-- ------------------------------------------------------
-- civiguard demo: a made-up dump left in the web root

DROP TABLE IF EXISTS \`civicrm_contact\`;
CREATE TABLE \`civicrm_contact\` (
  \`id\` int(10) unsigned NOT NULL AUTO_INCREMENT,
  \`first_name\` varchar(64) DEFAULT NULL,
  \`last_name\` varchar(64) DEFAULT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO \`civicrm_contact\` VALUES (1,'Demo','Donor'),(2,'Sample','Member');
`;

const GIT_CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
[branch "main"]
\tremote = origin
\tmerge = refs/heads/main
`;

// A 1×1 transparent PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

const APACHE = { server: 'Apache/2.4.1' };
const PHP = { ...APACHE, 'x-powered-by': 'PHP/7.2.1', 'x-generator': 'Drupal 10 (https://www.drupal.org)' };
const HTML = 'text/html; charset=UTF-8';
// An anonymous session cookie, as CiviCRM's forms start one: no Secure, no HttpOnly, no SameSite.
const SESSION = `${SESSION_COOKIE}=q3Vx0R8c1dWm2YpLk5sT7nHb4Fj9Ge6Ua0Zi3Oe1Aw; path=/; expires=Wed, 01-Jan-2031 00:00:00 GMT`;

const forbidden = (): Page => ({
  status: 403,
  headers: { ...APACHE, 'content-type': 'text/html; charset=iso-8859-1' },
  body: '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>403 Forbidden</title></head><body><h1>Forbidden</h1><p>You don\'t have permission to access this resource.</p></body></html>\n',
});

/** Routes of the demo site; both listeners serve the same content (plain http does not redirect). */
function route(path: string, query: string, httpOrigin: string): Page {
  const page = (title: string, content: string, opts: { cookie?: boolean; head?: string } = {}): Page => ({
    status: 200,
    headers: {
      ...PHP,
      'content-type': HTML,
      'cache-control': 'no-cache, private',
      ...(opts.cookie ? { 'set-cookie': [SESSION] } : {}),
    },
    body: drupalPage(title, content, httpOrigin, opts.head),
  });
  const file = (type: string, body: string | Buffer): Page => ({
    status: 200,
    headers: { ...APACHE, 'content-type': type, 'last-modified': 'Tue, 12 Mar 2024 10:12:00 GMT' },
    body,
  });
  const dir = (p: string): Page => ({ status: 301, headers: { ...APACHE, location: `${p}/` }, body: '' });

  switch (path) {
    case '/':
    case '/node':
      return page(
        'Welcome',
        `<p>Help us look after the park: become a member or give a donation.</p>
<img src="${httpOrigin}${FILES}/persist/contribute/images/banner.png" alt="The demo park">`,
        { cookie: true },
      );
    case '/user/login':
      return page(
        'Log in',
        `<form action="/user/login" method="post" id="user-login-form">
<label>Username <input type="text" name="name"></label>
<label>Password <input type="password" name="pass"></label>
<input type="hidden" name="form_id" value="user_login_form">
<button type="submit">Log in</button>
</form>`,
        { cookie: true },
      );
    case '/admin':
      return page(
        'Administration',
        '<ul><li><a href="/admin/content">Content</a></li><li><a href="/civicrm/admin">CiviCRM</a></li></ul>',
      );
    case '/civicrm/admin':
      return page(
        'CiviCRM Administration Console',
        '<p>System Settings · Customize Data and Screens · Communications</p>',
      );
    case '/civicrm/contribute/transact':
      return page(
        'Support the park',
        `<form action="${httpOrigin}/civicrm/contribute/transact?reset=1&amp;id=1" method="post" id="Main">
<label>Amount <input type="text" name="total_amount" value="25.00"></label>
<label>Email <input type="email" name="email-5"></label>
<label>Card number <input type="text" name="credit_card_number" autocomplete="cc-number"></label>
<button type="submit">Contribute</button>
</form>`,
        { cookie: true },
      );
    case '/civicrm/event/register':
      return page(
        'Register: volunteer day',
        `<form action="/civicrm/event/register?${query.replace(/&/g, '&amp;')}" method="post" id="Register">
<label>Email <input type="email" name="email-Primary"></label>
<button type="submit">Register</button>
</form>`,
        { cookie: true },
      );
    case '/sites/all/modules/civicrm/js/Common.js':
      return file('application/javascript', '/* civiguard demo */ var CRM = CRM || {};\n');
    case `${FILES}/persist/contribute/images/banner.png`:
      return file('image/png', PNG);
    case '/sites/default/files/css/css_demo.css':
      return file('text/css', 'body{font-family:sans-serif}\n');
    // Planted: directory listings of private CiviCRM dirs, with files that download.
    case `${FILES}/upload`:
    case `${FILES}/ConfigAndLog`:
      return dir(path);
    case `${FILES}/upload/`:
      return file(
        'text/html',
        autoindex(path, [
          { name: 'contribution-receipt-2024-0042.pdf', size: Buffer.byteLength(RECEIPT_PDF) },
          { name: 'membership-import-2024.csv', size: Buffer.byteLength(IMPORT_CSV) },
        ]),
      );
    case `${FILES}/upload/contribution-receipt-2024-0042.pdf`:
      return file('application/pdf', RECEIPT_PDF);
    case `${FILES}/upload/membership-import-2024.csv`:
      return file('text/csv', IMPORT_CSV);
    case `${FILES}/ConfigAndLog/`:
      return file('text/html', autoindex(path, [{ name: LOG_NAME, size: Buffer.byteLength(LOG) }]));
    case `${FILES}/ConfigAndLog/${LOG_NAME}`:
      return file('text/plain', LOG);
    // Planted: a database dump and a git checkout in the web root.
    case '/backup.sql':
      return file('application/sql', DUMP);
    case '/.git/HEAD':
      return file('text/plain', 'ref: refs/heads/main\n');
    case '/.git/config':
      return file('text/plain', GIT_CONFIG);
    // Done right: settings files execute as PHP (no source shown), private dirs answer 403.
    case '/index.php':
    case '/sites/default/settings.php':
    case '/sites/default/civicrm.settings.php':
      return { status: 200, headers: { ...PHP, 'content-type': HTML }, body: '' };
  }
  if (
    /^\/sites\/default\/(civicrm\.)?settings\.php(~|\.bak|\.orig|\.save|\.swp|\.swo|\.old|\.txt)$/.test(path)
  )
    return forbidden();
  if (/^\/\.(git|svn|hg)(\/|$)/.test(path)) return forbidden();
  if (
    /^\/sites\/default\/files\/civicrm\/(custom|templates_c|persist|ext)(\/|$)/.test(path) ||
    path === `${FILES}/` ||
    path === `${FILES}` ||
    path === '/sites/default/files/' ||
    path === '/sites/default/'
  )
    return forbidden();
  return {
    status: 404,
    headers: { ...PHP, 'content-type': HTML, 'cache-control': 'no-cache, private' },
    body: drupalPage('Page not found', '<p>The requested page could not be found.</p>', httpOrigin),
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the demo site on two ephemeral loopback ports. */
export async function startDemoSite(opts: DemoSiteOptions = {}): Promise<DemoSite> {
  let chain;
  try {
    const root = await createCa('civiguard demo Root CA (throw-away)');
    const issuing = await issueCert(root, {
      subject: 'civiguard demo Issuing CA',
      isCa: true,
      pathLength: 0,
    });
    const leaf = await issueCert(issuing, { dnsNames: [DEMO_HOST] });
    chain = { root, issuing, leaf };
  } catch (e) {
    throw new CiviguardError('E_INTERNAL', `demo: cannot make the demo certificates: ${describeError(e)}`);
  }
  const delay = opts.responseDelayMs ?? 0;
  let httpOrigin = '';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const respond = () => {
      if (res.destroyed) return;
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://x');
      } catch {
        res.writeHead(400, APACHE).end();
        return;
      }
      const p = route(decodeURIComponentSafe(url.pathname), url.search.slice(1), httpOrigin);
      const body = typeof p.body === 'string' ? Buffer.from(p.body) : p.body;
      res.writeHead(p.status, { ...p.headers, 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (delay > 0) {
      const t = setTimeout(respond, delay);
      res.on('close', () => clearTimeout(t));
    } else respond();
  };
  const https = createHttpsServer(
    {
      key: chain.leaf.keyPem,
      cert: chain.leaf.certPem + chain.issuing.certPem,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
    },
    handler,
  );
  const http = createHttpServer(handler);
  // Probes and scanners may send anything; a malformed request is not the demo's problem.
  for (const s of [https, http]) s.on('clientError', (_e, socket) => socket.destroy());
  https.on('tlsClientError', () => undefined);
  // Every raw connection, TLS handshakes in progress included, so that close() can cut them all.
  const sockets = new Set<Socket>();
  for (const s of [https, http])
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const stopped = [https, http]
      .filter((s) => s.listening)
      .map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const socket of sockets) socket.destroy();
    await Promise.all(stopped);
  };
  try {
    const [httpsPort, httpPort] = await Promise.all([listen(https), listen(http)]);
    httpOrigin = `http://${DEMO_HOST}:${httpPort}`;
    return {
      url: `https://${DEMO_HOST}:${httpsPort}/`,
      httpUrl: `${httpOrigin}/`,
      resolve: [`${DEMO_HOST}:${httpsPort}:127.0.0.1`, `${DEMO_HOST}:${httpPort}:127.0.0.1`],
      caPem: chain.root.certPem,
      httpsPort,
      httpPort,
      close,
    };
  } catch (e) {
    await close();
    throw new CiviguardError('E_IO', `demo: cannot listen on 127.0.0.1: ${describeError(e)}`);
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
