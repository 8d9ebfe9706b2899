import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { describeError } from '../../core/errors.js';
import { SSL2_CIPHER_KINDS } from './cipher-suites.js';
import type { TlsEndpoint } from './endpoint.js';
import { classifyHandshakeError } from './handshake.js';

/**
 * A hand-built ClientHello over a plain socket, for what node:tls cannot offer: SSLv2, SSLv3, and
 * RC4 / 3DES / DES / EXPORT suites. Only the server's first answer is read (its ServerHello, and for
 * TLS ≤ 1.2 the plaintext Certificate message); the handshake is never completed.
 */
export type RawVersion = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';

const WIRE: Record<Exclude<RawVersion, 'SSLv2'>, number> = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
};

export function versionName(wire: number): string {
  const names: Record<number, string> = {
    0x0002: 'SSLv2',
    0x0300: 'SSLv3',
    0x0301: 'TLSv1',
    0x0302: 'TLSv1.1',
    0x0303: 'TLSv1.2',
    0x0304: 'TLSv1.3',
  };
  return names[wire] ?? `0x${wire.toString(16).padStart(4, '0')}`;
}

export interface RawHelloOptions {
  version: RawVersion;
  /** TLS suite ids to offer (ignored for SSLv2, which offers every SSLv2 cipher kind). */
  suites: number[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** Keep reading after the ServerHello to capture the Certificate message (TLS ≤ 1.2 sends it in clear). */
  wantCertificates?: boolean;
}

export type RawHelloResult =
  | {
      kind: 'server-hello';
      /** The version the server chose. */
      version: string;
      /** The suite the server chose (for SSLv2: the first cipher kind it offered back). */
      suite: number;
      /** Certificates from the server's Certificate message (DER, leaf first), when asked and seen. */
      certificates: Buffer[];
    }
  | { kind: 'alert'; description: number; message: string }
  | { kind: 'closed'; message: string }
  | { kind: 'not-tls'; message: string; firstBytes: string }
  | { kind: 'refused' | 'dns' | 'timeout' | 'other'; message: string };

const MAX_READ = 64 * 1024;

const ALERTS: Record<number, string> = {
  0: 'close notify',
  10: 'unexpected message',
  20: 'bad record mac',
  40: 'handshake failure',
  47: 'illegal parameter',
  50: 'decode error',
  70: 'protocol version',
  71: 'insufficient security',
  80: 'internal error',
  86: 'inappropriate fallback',
  90: 'user canceled',
  109: 'missing extension',
  112: 'unrecognized name',
};

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}
function u24(n: number): Buffer {
  return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}
function vec16(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}
function ext(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}
function list16(values: number[]): Buffer {
  return Buffer.concat(values.map(u16));
}

/** Builds a TLS/SSLv3 ClientHello record offering `suites` at `version`. */
export function buildClientHello(
  version: Exclude<RawVersion, 'SSLv2'>,
  suites: number[],
  servername: string | null,
): Buffer {
  const wire = WIRE[version];
  const exts: Buffer[] = [];
  if (version !== 'SSLv3') {
    if (servername) {
      const name = Buffer.from(servername, 'ascii');
      exts.push(ext(0x0000, vec16(Buffer.concat([Buffer.from([0]), vec16(name)]))));
    }
    // supported_groups: x25519, secp256r1, secp384r1, secp521r1, ffdhe2048, ffdhe3072
    exts.push(ext(0x000a, vec16(list16([0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101]))));
    exts.push(ext(0x000b, Buffer.from([1, 0]))); // ec_point_formats: uncompressed
    if (version === 'TLSv1.2') {
      const sigalgs = [
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0808,
      ];
      exts.push(ext(0x000d, vec16(list16([...sigalgs, 0x0201, 0x0203, 0x0202, 0x0402]))));
    }
    exts.push(ext(0xff01, Buffer.from([0]))); // renegotiation_info (empty)
  }
  const body = Buffer.concat([
    u16(wire),
    randomBytes(32),
    Buffer.from([0]), // no session id
    vec16(list16(suites)),
    Buffer.from([1, 0]), // compression: null only
    ...(exts.length ? [vec16(Buffer.concat(exts))] : []),
  ]);
  const hs = Buffer.concat([Buffer.from([0x01]), u24(body.length), body]);
  return Buffer.concat([Buffer.from([0x16]), u16(Math.min(wire, 0x0301)), u16(hs.length), hs]);
}

/** Builds an SSLv2 CLIENT-HELLO offering every SSLv2 cipher kind. */
export function buildSsl2ClientHello(): Buffer {
  const specs = Buffer.concat(SSL2_CIPHER_KINDS.map(([k]) => u24(k)));
  const challenge = randomBytes(16);
  const msg = Buffer.concat([
    Buffer.from([0x01]),
    u16(0x0002),
    u16(specs.length),
    u16(0),
    u16(challenge.length),
    specs,
    challenge,
  ]);
  return Buffer.concat([u16(0x8000 | msg.length), msg]);
}

function printable(b: Buffer): string {
  return b
    .subarray(0, 48)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
}

/**
 * Incremental parser of the server's answer. Returns a result once it has one, or null to read on.
 * Exported for unit tests; `rawHello` feeds it from the socket.
 */
export function parseServerAnswer(
  data: Buffer,
  opts: { ssl2: boolean; wantCertificates: boolean; ended: boolean },
): RawHelloResult | null {
  if (data.length === 0)
    return opts.ended
      ? { kind: 'closed', message: 'the server closed the connection without answering' }
      : null;
  if (opts.ssl2 && data[0]! & 0x80) {
    if (data.length < 2) return null;
    const len = ((data[0]! & 0x7f) << 8) | data[1]!;
    if (data.length < 2 + Math.min(len, 11))
      return opts.ended ? { kind: 'closed', message: 'truncated SSLv2 answer' } : null;
    const m = data.subarray(2);
    if (m[0] === 4 && m.length >= 11) {
      const version = m.readUInt16BE(3);
      const specLen = m.readUInt16BE(7);
      const certLen = m.readUInt16BE(5);
      const specsAt = 11 + certLen;
      const suite =
        specLen >= 3 && m.length >= specsAt + 3
          ? (m[specsAt]! << 16) | (m[specsAt + 1]! << 8) | m[specsAt + 2]!
          : 0;
      if (specLen === 0)
        return { kind: 'alert', description: 40, message: 'SSLv2 SERVER-HELLO without a common cipher' };
      return { kind: 'server-hello', version: versionName(version), suite, certificates: [] };
    }
    if (m[0] === 0) return { kind: 'alert', description: 40, message: 'SSLv2 ERROR message' };
    return {
      kind: 'not-tls',
      message: 'an SSLv2 record that is not a SERVER-HELLO',
      firstBytes: printable(data),
    };
  }
  // TLS records
  let off = 0;
  const hs: Buffer[] = [];
  let hello: Extract<RawHelloResult, { kind: 'server-hello' }> | null = null;
  while (data.length - off >= 5) {
    const type = data[off]!;
    const major = data[off + 1]!;
    const len = data.readUInt16BE(off + 3);
    if (type < 20 || type > 23 || major !== 3 || len > 18432) {
      return {
        kind: 'not-tls',
        message: 'the server answered with something that is not TLS',
        firstBytes: printable(data.subarray(off)),
      };
    }
    if (data.length - off < 5 + len) break;
    const frag = data.subarray(off + 5, off + 5 + len);
    off += 5 + len;
    if (type === 21) {
      if (hello) break; // an alert after the ServerHello (e.g. no certificate for us): the hello stands
      const desc = frag[1] ?? 0;
      return { kind: 'alert', description: desc, message: `alert ${ALERTS[desc] ?? desc}` };
    }
    if (type !== 22) continue;
    hs.push(frag);
    const all = Buffer.concat(hs);
    let p = 0;
    while (all.length - p >= 4) {
      const t = all[p]!;
      const l = (all[p + 1]! << 16) | (all[p + 2]! << 8) | all[p + 3]!;
      if (all.length - p < 4 + l) break;
      const b = all.subarray(p + 4, p + 4 + l);
      p += 4 + l;
      if (t === 2) {
        if (b.length < 38) return { kind: 'other', message: 'ServerHello too short' };
        const version = b.readUInt16BE(0);
        const sidLen = b[34]!;
        if (b.length < 35 + sidLen + 3) return { kind: 'other', message: 'ServerHello too short' };
        const suite = b.readUInt16BE(35 + sidLen);
        hello = { kind: 'server-hello', version: versionName(version), suite, certificates: [] };
        if (!opts.wantCertificates) return hello;
      } else if (t === 11 && hello) {
        const certs: Buffer[] = [];
        let q = 3;
        while (q + 3 <= b.length && certs.length < 16) {
          const cl = (b[q]! << 16) | (b[q + 1]! << 8) | b[q + 2]!;
          if (q + 3 + cl > b.length) break;
          certs.push(Buffer.from(b.subarray(q + 3, q + 3 + cl)));
          q += 3 + cl;
        }
        hello.certificates = certs;
        return hello;
      } else if (t === 14 && hello) {
        return hello; // ServerHelloDone without a Certificate (anonymous suite)
      }
    }
  }
  if (hello && (opts.ended || data.length >= MAX_READ)) return hello;
  if (opts.ended)
    return { kind: 'closed', message: 'the server closed the connection before its ServerHello' };
  if (data.length >= MAX_READ)
    return { kind: 'other', message: `no ServerHello in the first ${MAX_READ} bytes` };
  return null;
}

/** Sends one hand-built ClientHello and reads the server's first answer. Never throws. */
export function rawHello(ep: TlsEndpoint, opts: RawHelloOptions): Promise<RawHelloResult> {
  const hello =
    opts.version === 'SSLv2'
      ? buildSsl2ClientHello()
      : buildClientHello(opts.version, opts.suites, ep.servername);
  return new Promise<RawHelloResult>((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (r: RawHelloResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ kind: 'timeout', message: 'cancelled' });
    const timer = setTimeout(
      () =>
        finish({
          kind: 'timeout',
          message: `no answer to the ClientHello within ${(opts.timeoutMs / 1000).toFixed(1)} s`,
        }),
      opts.timeoutMs,
    );
    const sock = net.connect({ host: ep.address, port: ep.port });
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const parse = (ended: boolean) => {
      const data = Buffer.concat(chunks);
      const r = parseServerAnswer(data, {
        ssl2: opts.version === 'SSLv2',
        wantCertificates: !!opts.wantCertificates,
        ended,
      });
      if (r) finish(r);
    };
    sock.setNoDelay(true);
    sock.once('connect', () => sock.write(hello));
    sock.on('data', (d: Buffer) => {
      const room = MAX_READ - size;
      if (room <= 0) return;
      const part = d.length > room ? d.subarray(0, room) : d;
      chunks.push(part);
      size += part.length;
      parse(false);
    });
    sock.once('end', () => parse(true));
    sock.once('close', () => parse(true));
    sock.once('error', (e) => {
      const { kind } = classifyHandshakeError(e);
      if (kind === 'closed') {
        if (size > 0) return parse(true);
        return finish({ kind: 'closed', message: `the server reset the connection (${describeError(e)})` });
      }
      const k = kind === 'refused' || kind === 'dns' || kind === 'timeout' ? kind : 'other';
      finish({ kind: k, message: describeError(e) });
    });
  });
}
