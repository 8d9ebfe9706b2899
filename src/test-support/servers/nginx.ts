/**
 * Debian's nginx as a throw-away server for tests and benchmarks.
 *
 *   const ngx = await startNginx({ servers: (ports) => `server { listen 127.0.0.1:${ports.https} ssl; ... }`,
 *                                  files: { 'site/index.html': '<h1>hi</h1>' } });
 *   ngx.dir   // temp dir: put certs/docroots here (files are written before nginx starts)
 *   ngx.ports // { http, https, extra: number[] } free loopback ports chosen for you
 *   await ngx.stop();
 *
 * nginx runs in the foreground (`daemon off`) with its own prefix, pid, logs and temp paths in the temp dir,
 * so several can run at once and nothing touches /etc/nginx. `nginxAvailable()` says whether the binary is there
 * (tests skip with that reason when it is not).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const NGINX_BIN = process.env.CIVIGUARD_NGINX ?? '/usr/sbin/nginx';

export function nginxAvailable(): boolean {
  return existsSync(NGINX_BIN);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface NginxPorts {
  http: number;
  https: number;
  extra: number[];
}

export interface NginxOptions {
  /** The `server { … }` blocks (inside `http { }`), given the temp dir and the chosen ports. */
  servers: (ports: NginxPorts, dir: string) => string;
  /** Files to write below the temp dir before start (relative path → content). */
  files?: Record<string, string | Buffer> | ((dir: string) => Record<string, string | Buffer>);
  extraPorts?: number;
}

export interface NginxHandle {
  dir: string;
  ports: NginxPorts;
  stop(): Promise<void>;
  errorLog(): Promise<string>;
}

async function waitForPort(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port} within ${deadlineMs} ms`);
}

export async function startNginx(opts: NginxOptions): Promise<NginxHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'civiguard-nginx-'));
  const ports: NginxPorts = { http: await freePort(), https: await freePort(), extra: [] };
  for (let i = 0; i < (opts.extraPorts ?? 0); i++) ports.extra.push(await freePort());
  const files = typeof opts.files === 'function' ? opts.files(dir) : (opts.files ?? {});
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, content);
  }
  for (const d of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    await mkdir(join(dir, d), { recursive: true });
  }
  const conf = `
daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  ${opts.servers(ports, dir)}
}
`;
  await writeFile(join(dir, 'nginx.conf'), conf);
  const child = spawn(
    NGINX_BIN,
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => {
        const t = setTimeout(() => (child.kill('SIGKILL'), r(null)), 3000);
        child.once('exit', () => (clearTimeout(t), r(null)));
      });
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(ports.https, child, 5000).catch(() => waitForPort(ports.http, child, 1000));
  } catch (e) {
    await stop();
    throw new Error(`nginx failed to start: ${(e as Error).message}; ${stderr.trim()}`);
  }
  return {
    dir,
    ports,
    stop,
    errorLog: async () => (await import('node:fs/promises')).readFile(join(dir, 'logs/error.log'), 'utf8'),
  };
}
