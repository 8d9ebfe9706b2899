/**
 * Real loopback servers for the HTTP probes' integration tests: well-behaved ones (node:http/https
 * with a route table) and hostile ones (raw sockets, optionally inside TLS) that hang, dribble, flood
 * or speak garbage. Every server listens on 127.0.0.1 on an ephemeral port and is closed by `close()`,
 * which also destroys the sockets it still holds.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';

export interface TestServer {
  port: number;
  close(): Promise<void>;
}

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
}

/** One answer: status, headers (arrays for repeats) and body; `hang` never answers that request. */
export interface RouteAnswer {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  hang?: boolean;
}

/** Handles one request. */
export type Route = (req: http.IncomingMessage) => RouteAnswer;

async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<TestServer> {
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A TLS server reports its sockets on 'secureConnection' as well; the raw ones are enough.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A normal web server: `routes(req)` answers every request. With `tlsId` it serves https. */
export async function webServer(route: Route, tlsId?: TlsIdentity): Promise<TestServer> {
  const handler: http.RequestListener = (req, res) => {
    const r = route(req);
    if (r.hang) return;
    res.writeHead(r.status, r.headers ?? {});
    res.end(req.method === 'HEAD' ? undefined : r.body);
  };
  const server = tlsId
    ? https.createServer({ cert: tlsId.certPem, key: tlsId.keyPem }, handler)
    : http.createServer(handler);
  return listen(server, new Set());
}

/** What a hostile server does with each connection (after the TLS handshake when over TLS). */
export type Hostility =
  | 'silent' // accepts, reads, never answers
  | 'dribble' // a valid response, one byte a second
  | 'huge-body' // a 50 MB body
  | 'redirect-loop' // /a → /b → /a …
  | 'garbage' // bytes that are not HTTP
  | 'many-headers'; // 10,000 header lines

export const HOSTILITIES: readonly Hostility[] = [
  'silent',
  'dribble',
  'huge-body',
  'redirect-loop',
  'garbage',
  'many-headers',
];

function misbehave(kind: Hostility, socket: net.Socket, timers: Set<NodeJS.Timeout>): void {
  socket.on('error', () => undefined);
  let buffered = '';
  let answered = false;
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    buffered += chunk.toString('latin1');
    if (!buffered.includes('\r\n\r\n')) return;
    answered = true;
    const path = /^[A-Z]+ (\S+)/.exec(buffered)?.[1] ?? '/';
    buffered = '';
    switch (kind) {
      case 'silent':
        return;
      case 'dribble': {
        const text = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello';
        let i = 0;
        const t = setInterval(() => {
          if (socket.destroyed || i >= text.length) {
            clearInterval(t);
            timers.delete(t);
            return;
          }
          socket.write(text[i++]!);
        }, 1000);
        timers.add(t);
        return;
      }
      case 'huge-body': {
        const total = 50 * 1024 * 1024;
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${total}\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < total && !socket.destroyed) {
            sent += chunk.length;
            if (!socket.write(chunk)) {
              socket.once('drain', pump);
              return;
            }
          }
        };
        pump();
        return;
      }
      case 'redirect-loop': {
        const next = path === '/a' ? '/b' : '/a';
        socket.write(`HTTP/1.1 302 Found\r\nLocation: ${next}\r\nContent-Length: 0\r\n\r\n`);
        answered = false; // keep-alive: answer the next request on this connection too
        return;
      }
      case 'garbage':
        socket.end(
          Buffer.from('\x00\xff\x13SSH-2.0-OpenSSH_9.2\r\n\x16\x03\x01 not http at all\r\n\r\n', 'latin1'),
        );
        return;
      case 'many-headers': {
        const lines = Array.from({ length: 10_000 }, (_, i) => `x-h${i}: ${i}\r\n`).join('');
        socket.end(`HTTP/1.1 200 OK\r\n${lines}Content-Length: 2\r\n\r\nok`);
        return;
      }
    }
  });
}

/** A server that misbehaves in one way, over plain TCP or (with `tlsId`) inside TLS. */
export async function hostileServer(kind: Hostility, tlsId?: TlsIdentity): Promise<TestServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = tlsId
    ? tls.createServer({ cert: tlsId.certPem, key: tlsId.keyPem }, (s) => misbehave(kind, s, timers))
    : net.createServer((s) => misbehave(kind, s, timers));
  const srv = await listen(server, new Set());
  return {
    port: srv.port,
    close: async () => {
      for (const t of timers) clearInterval(t);
      await srv.close();
    },
  };
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
