import { defineProbe, FactUnavailable } from '../../core/probe.js';
import { describeError } from '../../core/errors.js';
import type { AuditTarget } from '../../core/target.js';
import type { RawHelloResult } from './client-hello.js';
import { rawHello } from './client-hello.js';
import { allSuites } from './cipher-suites.js';
import type { TlsEndpoint } from './endpoint.js';
import { describeEndpoint, endpointOf, resolveEndpoint } from './endpoint.js';
import type { HandshakeFailureKind, HandshakeResult, HandshakeSuccess } from './handshake.js';
import { gateFor, tlsHandshake } from './handshake.js';

/** Cipher string that lets OpenSSL 3 offer every legacy protocol and suite it still has. */
export const LEGACY_CIPHERS = 'ALL:COMPLEMENTOFALL:!aNULL@SECLEVEL=0';

/** Per-handshake deadline: a share of the probe budget, between 0.5 s and 10 s. */
export function handshakeTimeout(target: AuditTarget, share = 0.45): number {
  return Math.max(500, Math.min(10_000, Math.round(target.timeoutMs * share)));
}

/** How the site's TLS service answered a modern client, and the chain it served. */
export interface TlsConnectionFacts {
  endpoint: TlsEndpoint;
  /** A Node client with default settings (TLS 1.2+, default suites): what a current browser gets. */
  modern: HandshakeResult;
  /** A legacy handshake (TLS 1.0–1.3, every suite at SECLEVEL=0), tried only when the modern one was declined. */
  legacy: HandshakeResult | null;
  /** A hand-built ClientHello with every suite, tried only when both Node handshakes were declined. */
  raw: RawHelloResult | null;
  /** The handshake that completed, or null. */
  established: HandshakeSuccess | null;
  /** Served certificates (DER, leaf first) from whichever exchange produced them. */
  chain: Buffer[];
  chainFrom: 'modern' | 'legacy' | 'raw' | null;
  /** Why no TLS exchange happened, when none did. */
  failure: { kind: HandshakeFailureKind | 'legacy-only'; message: string } | null;
}

const RETRY_WITH_LEGACY: ReadonlySet<HandshakeFailureKind> = new Set([
  'declined',
  'closed',
  'local',
  'other',
]);

export const tlsConnectionProbe = defineProbe<TlsConnectionFacts>({
  name: 'tls connection',
  async run(ctx) {
    let endpoint: TlsEndpoint;
    try {
      endpoint = await resolveEndpoint(ctx.target);
    } catch (e) {
      const { host } = endpointOf(ctx.target);
      throw new FactUnavailable('error', `cannot resolve ${host}: ${describeError(e)}`);
    }
    const gate = gateFor(ctx.target);
    const timeoutMs = handshakeTimeout(ctx.target);
    const base = { timeoutMs, signal: ctx.signal, wantChain: true };
    const modern = await gate.run(() => tlsHandshake(endpoint, { ...base, alpn: ['h2', 'http/1.1'] }));
    const facts: TlsConnectionFacts = {
      endpoint,
      modern,
      legacy: null,
      raw: null,
      established: modern.ok ? modern : null,
      chain: modern.ok ? modern.chain : [],
      chainFrom: modern.ok ? 'modern' : null,
      failure: null,
    };
    if (modern.ok) return facts;
    if (!RETRY_WITH_LEGACY.has(modern.kind)) {
      facts.failure = { kind: modern.kind, message: modern.message };
      // Show what the server said instead of TLS (often a plain-HTTP answer on the HTTPS port).
      if (modern.kind === 'not-tls')
        facts.raw = await gate.run(() =>
          rawHello(endpoint, { version: 'TLSv1.2', suites: allSuites(), timeoutMs, signal: ctx.signal }),
        );
      return facts;
    }
    ctx.note(`modern handshake failed (${modern.message}); trying legacy protocols`);
    const legacy = await gate.run(() =>
      tlsHandshake(endpoint, {
        ...base,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.3',
        ciphers: LEGACY_CIPHERS,
      }),
    );
    facts.legacy = legacy;
    if (legacy.ok) {
      facts.established = legacy;
      facts.chain = legacy.chain;
      facts.chainFrom = 'legacy';
      return facts;
    }
    if (!RETRY_WITH_LEGACY.has(legacy.kind)) {
      facts.failure = { kind: legacy.kind, message: legacy.message };
      return facts;
    }
    const raw = await gate.run(() =>
      rawHello(endpoint, {
        version: 'TLSv1.2',
        suites: allSuites(),
        timeoutMs,
        signal: ctx.signal,
        wantCertificates: true,
      }),
    );
    facts.raw = raw;
    if (raw.kind === 'server-hello') {
      facts.chain = raw.certificates;
      facts.chainFrom = raw.certificates.length ? 'raw' : null;
      facts.failure = {
        kind: 'legacy-only',
        message: `${describeEndpoint(endpoint)} answers only with ${raw.version} and suites that current clients no longer offer`,
      };
    } else {
      facts.failure = { kind: modern.kind, message: modern.message };
    }
    return facts;
  },
});
