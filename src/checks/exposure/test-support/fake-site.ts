/**
 * A real https server on loopback that plays a CiviCRM site for the exposure tests: static files (with
 * Range support), "PHP" paths that answer as if executed, per-directory autoindex pages in nginx's or
 * Apache's exact format, deny rules, a catch-all mode (200 for everything) and per-path delays.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSelfSigned } from '../../../pki/index.js';

export interface Executed {
  status: number;
  body: string;
}

export interface FakeSiteOptions {
  /** Static files, path without leading slash → content. */
  files?: Record<string, string | Buffer>;
  /** Paths that run as scripts: their output instead of their source. */
  scripts?: Record<string, Executed>;
  /** Which existing directories get an autoindex page, and in which server's format. */
  autoindex?: (dir: string) => 'nginx' | 'apache' | false;
  /** Paths answered 403 (checked before anything else). */
  deny?: RegExp[];
  /** Answer 200 with the front page (echoing the path) for anything that does not exist. */
  catchAll?: boolean;
  /** Milliseconds to wait before answering a path. */
  delayMs?: (path: string) => number;
  home?: string;
  /** Serve plain http instead of https. */
  plain?: boolean;
}

export interface FakeSite {
  port: number;
  url: string;
  /** `--resolve` entry for site.test. */
  resolve: string;
  /** Paths requested, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function nginxIndex(dir: string, entries: { name: string; dir: boolean; size: number }[]): string {
  const rows = entries
    .filter((e) => !e.name.startsWith('.')) // nginx hides dot files
    .map((e) => {
      const n = e.dir ? `${e.name}/` : e.name;
      return `<a href="${encodeURIComponent(e.name)}${e.dir ? '/' : ''}">${esc(n)}</a>${' '.repeat(Math.max(1, 51 - n.length))}04-Dec-2026 10:00${' '.repeat(19)}${e.dir ? '-' : e.size}\r\n`;
    })
    .join('');
  return `<html>\r\n<head><title>Index of /${dir}</title></head>\r\n<body>\r\n<h1>Index of /${dir}</h1><hr><pre><a href="../">../</a>\r\n${rows}</pre><hr></body>\r\n</html>\r\n`;
}

function apacheIndex(dir: string, entries: { name: string; dir: boolean; size: number }[]): string {
  const parent = `/${dir}`.replace(/[^/]+\/$/, '');
  const rows = entries
    .map(
      (e) =>
        `<tr><td valign="top"><img src="/icons/${e.dir ? 'folder' : 'text'}.gif" alt="[${e.dir ? 'DIR' : 'TXT'}]"></td><td><a href="${encodeURIComponent(e.name)}${e.dir ? '/' : ''}">${esc(e.name)}${e.dir ? '/' : ''}</a></td><td align="right">2026-12-04 10:00  </td><td align="right">${e.dir ? '-' : e.size}</td><td>&nbsp;</td></tr>\n`,
    )
    .join('');
  return `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<html>\n <head>\n  <title>Index of /${dir.replace(/\/$/, '')}</title>\n </head>\n <body>\n<h1>Index of /${dir.replace(/\/$/, '')}</h1>\n  <table>\n   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>\n   <tr><th colspan="5"><hr></th></tr>\n<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="${parent}">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>\n${rows}   <tr><th colspan="5"><hr></th></tr>\n</table>\n<address>Apache/2.4.62 (Debian) Server at site.test Port 443</address>\n</body></html>\n`;
}

export async function startFakeSite(opts: FakeSiteOptions): Promise<FakeSite> {
  const files = new Map(Object.entries(opts.files ?? {}).map(([k, v]) => [k, Buffer.from(v)]));
  const scripts = new Map(Object.entries(opts.scripts ?? {}));
  const home =
    opts.home ?? '<!DOCTYPE html><html><head><title>Home</title></head><body><h1>Welcome</h1></body></html>';
  const { certPem, keyPem } = await createSelfSigned({ dnsNames: ['site.test'] });
  const requests: string[] = [];

  const entriesOf = (dir: string) => {
    const out = new Map<string, { name: string; dir: boolean; size: number }>();
    for (const [p, body] of [...files, ...[...scripts].map(([p]) => [p, Buffer.alloc(0)] as const)]) {
      if (!p.startsWith(dir) || p === dir) continue;
      const rest = p.slice(dir.length);
      const name = rest.split('/')[0]!;
      const isDir = rest.includes('/');
      out.set(name, { name, dir: isDir, size: body.length });
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  };

  const handler: Parameters<typeof createHttpServer>[1] = (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'https://site.test').pathname).slice(1);
    requests.push(path);
    const answer = () => {
      const send = (status: number, body: Buffer | string, type = 'text/html') => {
        res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
        res.end(body);
      };
      if (opts.deny?.some((r) => r.test(path)))
        return send(403, '<html><body><h1>403 Forbidden</h1></body></html>');
      if (path === '') return send(200, home);
      const script = scripts.get(path);
      if (script) return send(script.status, script.body);
      const file = files.get(path);
      if (file) {
        const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (range) {
          const from = Number(range[1]);
          const to = Math.min(Number(range[2]), file.length - 1);
          const part = file.subarray(from, to + 1);
          res.writeHead(206, {
            'content-type': 'application/octet-stream',
            'content-range': `bytes ${from}-${to}/${file.length}`,
            'content-length': part.length,
          });
          return res.end(part);
        }
        return send(200, file, 'application/octet-stream');
      }
      if (path.endsWith('/') && entriesOf(path).length > 0) {
        const index = files.get(`${path}index.html`);
        if (index) return send(200, index);
        const style = opts.autoindex?.(path) ?? false;
        if (style === 'nginx') return send(200, nginxIndex(path, entriesOf(path)));
        if (style === 'apache') return send(200, apacheIndex(path, entriesOf(path)));
        return send(403, '<html><body><h1>403 Forbidden</h1></body></html>');
      }
      if (opts.catchAll)
        return send(
          200,
          home.replace('<h1>Welcome</h1>', `<h1>Welcome</h1><p>You asked for /${esc(path)}</p>`),
        );
      return send(404, `<html><body><h1>404 Not Found</h1><p>/${esc(path)}</p></body></html>`);
    };
    const delay = opts.delayMs?.(path) ?? 0;
    if (delay > 0) {
      const t = setTimeout(answer, delay);
      res.on('close', () => clearTimeout(t));
    } else answer();
  };
  const server: Server | ReturnType<typeof createHttpServer> = opts.plain
    ? createHttpServer(handler)
    : createServer({ cert: certPem, key: keyPem }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `${opts.plain ? 'http' : 'https'}://site.test:${port}/`,
    resolve: `site.test:${port}:127.0.0.1`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
