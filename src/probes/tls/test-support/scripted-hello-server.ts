/**
 * Test support: a plain-TCP server that answers ClientHellos the way a legacy stack would (SSLv3,
 * TLS 1.0, RC4/3DES) without being able to finish a handshake. Node/OpenSSL 3 can no longer serve
 * those, so this is the only way to exercise the hand-built ClientHello paths end to end.
 */
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ScriptedHelloOptions {
  /** Highest version the server speaks (wire value: 0x0300 SSLv3, 0x0301 TLS 1.0, …). */
  maxVersion: number;
  /** Lowest version it accepts. */
  minVersion: number;
  /** Suites it accepts, in its order of preference. */
  suites: number[];
  /** DER certificates to send after the ServerHello (leaf first). */
  certificates: Buffer[];
  /** Answer an SSLv2 CLIENT-HELLO with an SSLv2 SERVER-HELLO. */
  ssl2?: boolean;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function record(type: number, version: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
}
function handshake(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type]), u24(body.length), body]);
}

/** The reply to one ClientHello record (exported for unit tests). */
export function answerHello(hello: Buffer, o: ScriptedHelloOptions): Buffer | null {
  if (hello[0]! & 0x80) {
    // SSLv2 CLIENT-HELLO
    if (!o.ssl2) return null;
    const msg = Buffer.concat([
      Buffer.from([4, 0, 1]),
      u16(0x0002),
      u16(0),
      u16(3),
      u16(16),
      Buffer.from([0x07, 0x00, 0xc0]),
      Buffer.alloc(16, 1),
    ]);
    return Buffer.concat([u16(0x8000 | msg.length), msg]);
  }
  if (hello[0] !== 0x16 || hello.length < 5 + 4 + 38) return null;
  const body = hello.subarray(9);
  const clientVersion = body.readUInt16BE(0);
  const sidLen = body[34]!;
  const suitesLen = body.readUInt16BE(35 + sidLen);
  const offered = new Set<number>();
  for (let i = 0; i < suitesLen; i += 2) offered.add(body.readUInt16BE(37 + sidLen + i));
  const version = Math.min(clientVersion, o.maxVersion);
  const alert = (desc: number) => record(21, Math.max(o.minVersion, 0x0300), Buffer.from([2, desc]));
  if (version < o.minVersion) return alert(70);
  const suite = o.suites.find((s) => offered.has(s));
  if (suite === undefined) return alert(40);
  const serverHello = handshake(
    2,
    Buffer.concat([u16(version), Buffer.alloc(32, 7), Buffer.from([0]), u16(suite), Buffer.from([0])]),
  );
  const certs = Buffer.concat(o.certificates.map((c) => Buffer.concat([u24(c.length), c])));
  const certificate = handshake(11, Buffer.concat([u24(certs.length), certs]));
  const done = handshake(14, Buffer.alloc(0));
  return record(22, version, Buffer.concat([serverHello, certificate, done]));
}

/** Starts the server on an ephemeral loopback port; returns the port and a closer. */
export async function startScriptedHelloServer(
  o: ScriptedHelloOptions,
): Promise<{ port: number; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const need =
        buf[0]! & 0x80
          ? 2 + (((buf[0]! & 0x7f) << 8) | (buf[1] ?? 0))
          : 5 + (buf.length >= 5 ? buf.readUInt16BE(3) : 0);
      if (buf.length < Math.max(need, 5)) return;
      const reply = answerHello(buf, o);
      if (reply) s.end(reply);
      else s.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      sockets.forEach((s) => s.destroy());
      server.close();
    },
  };
}
