/**
 * civiguard's built-in demo site: a deliberately misconfigured CiviCRM-on-Drupal site on 127.0.0.1,
 * with its own HTTP and HTTPS listeners on ephemeral ports and a certificate chain made at start from a
 * throw-away CA. What is wrong (and what is right) on it is listed in `planted.ts`.
 *
 * Its pages are made up here; its CiviCRM data dirs (upload/, ConfigAndLog/, persist/), its CSS and the
 * dump in the document root are served from the demo tree on disk (tree.ts), as a web server would, so a
 * canary file that `--root` writes there is really served (upload/, ConfigAndLog/) or really refused
 * (custom/, templates_c/). Each request is written to an access log in nginx's combined format until
 * `stopAccessLog()`.
 *
 * Nothing here is real: the names, the dump and the log are made up. Every URL in its pages points back
 * at the demo host itself, so even a browser opening them stays on loopback.
 *
 * @example
 * const tree = createDemoTree();
 * const site = await startDemoSite({ docroot: tree.webRoot, accessLog: tree.accessLog });
 * // civiguard audit site.url --resolve site.resolve[0] --resolve site.resolve[1] --http-url site.httpUrl
 * await site.close();
 * tree.remove();
 */
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Server, Socket } from 'node:net';
import { join, normalize, sep } from 'node:path';
import { CiviguardError, describeError } from '../core/errors.js';
import { createCa, issueCert } from '../pki/index.js';
import { FILES_PATH as FILES } from './tree.js';

export const DEMO_HOST = 'demo.civiguard.test';

export interface DemoSiteOptions {
  /** The document root whose data dirs, CSS and dump are served (the demo tree's `web/`). */
  docroot: string;
  /** Appends one nginx "combined" line per request to this file, until `stopAccessLog()`. */
  accessLog?: string;
  /** Holds every response this long (tests use it to interrupt an audit half-way); see setResponseDelay. */
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
  /** Requests logged so far. */
  logged: number;
  /** No more access-log lines from now on. */
  stopAccessLog(): void;
  /** Holds every later response this long (0: none). */
  setResponseDelay(ms: number): void;
  /** Stops both listeners and cuts open connections; safe to call twice. */
  close(): Promise<void>;
}

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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');
const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** nginx's autoindex page for a directory on disk (what is in it now: a canary file included). */
function autoindex(urlPath: string, dir: string): string {
  const rows: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.'))
    .sort((x, y) => Number(y.isDirectory()) - Number(x.isDirectory()) || x.name.localeCompare(y.name));
  for (const e of entries) {
    let st;
    try {
      st = statSync(join(dir, e.name));
    } catch {
      continue; // deleted meanwhile (a canary removed while another request lists the dir)
    }
    const m = st.mtime;
    const name = e.isDirectory() ? `${e.name}/` : e.name;
    const date = `${pad2(m.getUTCDate())}-${MONTHS[m.getUTCMonth()]}-${m.getUTCFullYear()} ${pad2(m.getUTCHours())}:${pad2(m.getUTCMinutes())}`;
    rows.push(
      `<a href="${encodeURIComponent(e.name)}${e.isDirectory() ? '/' : ''}">${escapeHtml(name)}</a>` +
        `${' '.repeat(Math.max(1, 51 - name.length))}${date}${(e.isDirectory() ? '-' : String(st.size)).padStart(20)}`,
    );
  }
  return `<html>
<head><title>Index of ${urlPath}</title></head>
<body>
<h1>Index of ${urlPath}</h1><hr><pre><a href="../">../</a>
${rows.join('\n')}
</pre><hr></body>
</html>
`;
}

const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  log: 'text/plain',
  txt: 'text/plain',
  png: 'image/png',
  css: 'text/css',
  html: 'text/html',
  sql: 'application/sql',
};

/**
 * A file of the document root, or null when the path leaves it, holds a dot segment or is not a
 * regular file. `urlPath` is decoded; only the callers' prefixes reach here.
 */
function fileOnDisk(
  docroot: string,
  urlPath: string,
): { path: string; type: string; modified: string } | null {
  if (urlPath.includes('\0') || urlPath.includes('\\') || /(^|\/)\.\.?(\/|$)/.test(urlPath)) return null;
  const path = normalize(join(docroot, urlPath));
  if (!path.startsWith(docroot + sep)) return null;
  let modified: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    modified = st.mtime.toUTCString();
  } catch {
    return null;
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return { path, type: TYPES[ext] ?? 'application/octet-stream', modified };
}

function isDirOnDisk(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const GIT_CONFIG = `[core]
\trepositoryformatversion = 0
\tfilemode = true
\tbare = false
[branch "main"]
\tremote = origin
\tmerge = refs/heads/main
`;

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

/** Data dirs served as plain static files, listings on (planted: upload/ and ConfigAndLog/). */
const LISTED_DIRS = [`${FILES}/upload`, `${FILES}/ConfigAndLog`];
/** Static files served from disk; their dirs answer 403 (persist/ may be read, not listed). */
const FILE_PREFIXES = [...LISTED_DIRS.map((d) => `${d}/`), `${FILES}/persist/`, '/sites/default/files/css/'];

/** Routes of the demo site; both listeners serve the same content (plain http does not redirect). */
function route(path: string, query: string, httpOrigin: string, docroot: string): Page {
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
  const file = (type: string, body: string | Buffer, modified = 'Tue, 12 Mar 2024 10:12:00 GMT'): Page => ({
    status: 200,
    headers: { ...APACHE, 'content-type': type, 'last-modified': modified },
    body,
  });
  const dir = (p: string): Page => ({ status: 301, headers: { ...APACHE, location: `${p}/` }, body: '' });
  const notFound = (): Page => ({
    status: 404,
    headers: { ...PHP, 'content-type': HTML, 'cache-control': 'no-cache, private' },
    body: drupalPage('Page not found', '<p>The requested page could not be found.</p>', httpOrigin),
  });
  const fromDisk = (p: string): Page | null => {
    const f = fileOnDisk(docroot, p);
    if (!f) return null;
    try {
      return file(f.type, readFileSync(f.path), f.modified);
    } catch {
      return null; // deleted since the stat (a canary)
    }
  };
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
    // Planted: a git checkout in the web root.
    case '/.git/HEAD':
      return file('text/plain', 'ref: refs/heads/main\n');
    case '/.git/config':
      return file('text/plain', GIT_CONFIG);
    // Done right: settings files execute as PHP (no source shown).
    case '/index.php':
    case '/sites/default/settings.php':
    case '/sites/default/civicrm.settings.php':
      return { status: 200, headers: { ...PHP, 'content-type': HTML }, body: '' };
    // Planted: a database dump in the web root (the tree's web/backup.sql).
    case '/backup.sql':
      return fromDisk(path) ?? notFound();
  }
  // Planted: the upload and log dirs are plain static dirs with listings on.
  for (const d of LISTED_DIRS) {
    if (path === d) return dir(path);
    if (path === `${d}/` && isDirOnDisk(join(docroot, d)))
      return file('text/html', autoindex(path, join(docroot, d)));
  }
  if (FILE_PREFIXES.some((p) => path.startsWith(p))) {
    const served = fromDisk(path);
    if (served) return served;
  }
  // Done right: editor copies of the settings, VCS dirs, and custom/, templates_c/ answer 403.
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
  return notFound();
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

/** nginx's escaping of logged values: `"`, `\\` and bytes outside printable ASCII become `\\xHH`. */
function logEscape(v: string | undefined): string {
  if (!v) return '-';
  // Node hands headers and the request target over as latin1: one char per byte.
  return v
    .slice(0, 8192)
    .replace(
      /["\\\x00-\x1f\x7f-\uffff]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
    );
}

/** `10/Mar/2024:13:55:36 +0100`, nginx's $time_local. */
function timeLocal(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const a = Math.abs(off);
  return `${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()}:${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${sign}${pad2(Math.floor(a / 60))}${pad2(a % 60)}`;
}

/** One access-log line in nginx's "combined" format. */
export function combinedLogLine(req: IncomingMessage, status: number, bytes: number, at: Date): string {
  const addr = (req.socket.remoteAddress ?? '-').replace(/^::ffff:/, '');
  const request = `${req.method ?? '-'} ${req.url ?? '-'} HTTP/${req.httpVersion}`;
  return `${addr} - - [${timeLocal(at)}] "${logEscape(request)}" ${status} ${bytes} "${logEscape(req.headers.referer)}" "${logEscape(req.headers['user-agent'])}"\n`;
}

/** Starts the demo site on two ephemeral loopback ports. */
export async function startDemoSite(opts: DemoSiteOptions): Promise<DemoSite> {
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
  const docroot = normalize(opts.docroot).replace(/[/\\]+$/, '');
  let delay = opts.responseDelayMs ?? 0;
  let logFile = opts.accessLog ?? null;
  let logged = 0;
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
      let p: Page;
      try {
        p = route(decodeURIComponentSafe(url.pathname), url.search.slice(1), httpOrigin, docroot);
      } catch {
        // A file that vanished between stat and read, an unreadable dir: what a server answers then.
        p = {
          status: 500,
          headers: { ...APACHE, 'content-type': 'text/plain' },
          body: 'Internal Server Error\n',
        };
      }
      const body = typeof p.body === 'string' ? Buffer.from(p.body) : p.body;
      const sent = req.method === 'HEAD' ? 0 : body.length;
      res.on('finish', () => {
        if (!logFile) return;
        try {
          appendFileSync(logFile, combinedLogLine(req, p.status, sent, new Date()));
          logged++;
        } catch {
          // The log is the demo's own aid; a full disk must not break the site.
        }
      });
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
      get logged() {
        return logged;
      },
      stopAccessLog: () => {
        logFile = null;
      },
      setResponseDelay: (ms: number) => {
        delay = ms;
      },
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
