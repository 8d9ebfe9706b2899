import type { PeerCertificate, SecureVersion } from 'node:tls';
import * as tls from 'node:tls';
import { describeError } from '../../core/errors.js';
import type { TlsEndpoint } from './endpoint.js';

/**
 * One TLS handshake with node:tls: the single place where the TLS probes open connections.
 * Certificates are never verified here (`rejectUnauthorized: false`, empty CA list so that OpenSSL
 * adds no store certificates to the peer chain): the certificate probe verifies the served chain itself.
 */
export interface HandshakeOptions {
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher string for TLS ≤ 1.2 (`DEFAULT@SECLEVEL=0` for legacy protocols). */
  ciphers?: string;
  /** TLS 1.3 suites; default Node's. */
  ciphersuites?: string;
  alpn?: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  /** Keep the peer chain (DER) of the handshake. */
  wantChain?: boolean;
}

/** Why a handshake did not complete, from the client's point of view. */
export type HandshakeFailureKind =
  /** The server answered with a TLS alert or picked a version we did not offer: it declined what we offered. */
  | 'declined'
  /** Nothing listens (ECONNREFUSED) or the host is unreachable. */
  | 'refused'
  /** The name did not resolve. */
  | 'dns'
  /** The deadline passed (server silent or dribbling). */
  | 'timeout'
  /** The peer closed or reset the connection during the handshake. */
  | 'closed'
  /** The peer answered with something that is not TLS. */
  | 'not-tls'
  /** This client (Node/OpenSSL) cannot offer or accept it: not a statement about the server. */
  | 'local'
  /** Anything else (protocol violations, bad messages). */
  | 'other';

export interface HandshakeSuccess {
  ok: true;
  protocol: string;
  cipher: { name: string; standardName: string; version: string };
  /** Ephemeral key exchange (`getEphemeralKeyInfo()`): null when the suite has none (static RSA). */
  ephemeral: { type: string; name?: string; size: number } | null;
  alpn: string | null;
  /** The certificates the server sent, leaf first (DER), when `wantChain`. */
  chain: Buffer[];
  durationMs: number;
}

export interface HandshakeFailure {
  ok: false;
  kind: HandshakeFailureKind;
  /** Node/OpenSSL error code (ERR_SSL_…, ECONNRESET, …) when there was one. */
  code: string | null;
  message: string;
  durationMs: number;
}

export type HandshakeResult = HandshakeSuccess | HandshakeFailure;

const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNEXPECTED_MESSAGE',
  'ERR_SSL_UNEXPECTED_RECORD',
]);
const DECLINED = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY',
  'ERR_SSL_TLSV1_ALERT_INAPPROPRIATE_FALLBACK',
  'ERR_SSL_WRONG_CIPHER_RETURNED',
  'ERR_SSL_NO_SHARED_CIPHER',
]);
const LOCAL = new Set([
  'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
  'ERR_SSL_CA_MD_TOO_WEAK',
  'ERR_SSL_EE_KEY_TOO_SMALL',
  'ERR_SSL_DH_KEY_TOO_SMALL',
  'ERR_SSL_BAD_DH_VALUE',
]);

/** Short OpenSSL reason ("tlsv1 alert protocol version") instead of the multi-line error text. */
function reasonOf(e: unknown): string {
  const r = (e as { reason?: unknown }).reason;
  if (typeof r === 'string' && r) return r;
  return describeError(e).replace(/^[0-9A-F]{8,}:error:[0-9A-F]+:[^:]*:[^:]*:/, '');
}

export function classifyHandshakeError(e: unknown): { kind: HandshakeFailureKind; code: string | null } {
  const code = typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : null;
  if (code === null) {
    if (/no cipher match|no ciphers available/i.test(String((e as Error).message)))
      return { kind: 'local', code };
    return { kind: 'other', code };
  }
  if (DECLINED.has(code) || /^ERR_SSL_(SSLV3|TLSV1)_ALERT_/.test(code)) return { kind: 'declined', code };
  if (NOT_TLS.has(code)) return { kind: 'not-tls', code };
  if (LOCAL.has(code)) return { kind: 'local', code };
  if (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EADDRNOTAVAIL'
  )
    return { kind: 'refused', code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', code };
  if (code === 'ETIMEDOUT') return { kind: 'timeout', code };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') return { kind: 'closed', code };
  return { kind: 'other', code };
}

function peerChain(sock: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c: PeerCertificate | undefined = sock.getPeerCertificate(true);
  // Follow issuerCertificate until it repeats (a self-signed root points at itself); cap the length.
  while (c?.raw && out.length < 16) {
    const key = c.fingerprint256;
    if (seen.has(key)) break;
    seen.add(key);
    out.push(Buffer.from(c.raw));
    c = (c as tls.DetailedPeerCertificate).issuerCertificate;
  }
  return out;
}

/** Runs one handshake against the endpoint. Never throws: failures are classified results. */
export function tlsHandshake(ep: TlsEndpoint, opts: HandshakeOptions): Promise<HandshakeResult> {
  const t0 = performance.now();
  return new Promise<HandshakeResult>((resolve) => {
    let done = false;
    let sock: tls.TLSSocket | undefined;
    const finish = (r: HandshakeResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      sock?.destroy();
      resolve(r);
    };
    const fail = (kind: HandshakeFailureKind, code: string | null, message: string) =>
      finish({ ok: false, kind, code, message, durationMs: performance.now() - t0 });
    const onAbort = () => fail('timeout', null, 'cancelled');
    const timer = setTimeout(
      () => fail('timeout', null, `no TLS handshake within ${(opts.timeoutMs / 1000).toFixed(1)} s`),
      opts.timeoutMs,
    );
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      sock = tls.connect({
        host: ep.address,
        port: ep.port,
        ...(ep.servername ? { servername: ep.servername } : {}),
        rejectUnauthorized: false,
        ca: [],
        ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
        ...(opts.ciphersuites ? { ciphersuites: opts.ciphersuites } : {}),
        ...(opts.alpn ? { ALPNProtocols: opts.alpn } : {}),
        // No session resumption between probes: every handshake must be a full one.
        session: undefined,
      });
    } catch (e) {
      // Thrown synchronously when this OpenSSL cannot build the offer (e.g. "no cipher match").
      const { code } = classifyHandshakeError(e);
      return fail('local', code, `this client cannot offer it: ${reasonOf(e)}`);
    }
    sock.setNoDelay(true);
    sock.once('secureConnect', () => {
      const s = sock!;
      const cipher = s.getCipher();
      const eph = s.getEphemeralKeyInfo();
      const ephemeral =
        eph && typeof eph === 'object' && 'type' in eph && typeof eph.type === 'string'
          ? {
              type: eph.type,
              ...(typeof eph.name === 'string' ? { name: eph.name } : {}),
              size: Number(eph.size),
            }
          : null;
      finish({
        ok: true,
        protocol: s.getProtocol() ?? 'unknown',
        cipher: { name: cipher.name, standardName: cipher.standardName, version: cipher.version },
        ephemeral,
        alpn: typeof s.alpnProtocol === 'string' ? s.alpnProtocol : null,
        chain: opts.wantChain ? peerChain(s) : [],
        durationMs: performance.now() - t0,
      });
    });
    sock.once('error', (e) => {
      const { kind, code } = classifyHandshakeError(e);
      fail(kind, code, reasonOf(e));
    });
    sock.once('close', () => fail('closed', null, 'the server closed the connection during the handshake'));
  });
}

/** A small concurrency gate: at most `n` tasks at once (handshakes to one server). */
export class Gate {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.queue.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so that no newcomer can overtake it.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

const gates = new WeakMap<object, Gate>();
/** The gate shared by every TLS probe of one audit target: at most 6 handshakes at a time to the server. */
export function gateFor(target: object): Gate {
  let g = gates.get(target);
  if (!g) {
    g = new Gate(6);
    gates.set(target, g);
  }
  return g;
}
