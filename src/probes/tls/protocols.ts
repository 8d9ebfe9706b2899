import type { SecureVersion } from 'node:tls';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import type { RawHelloResult, RawVersion } from './client-hello.js';
import { rawHello } from './client-hello.js';
import { allSuites, suiteName } from './cipher-suites.js';
import { handshakeTimeout, LEGACY_CIPHERS, tlsConnectionProbe } from './connection.js';
import type { TlsEndpoint } from './endpoint.js';
import type { HandshakeResult } from './handshake.js';
import { gateFor, tlsHandshake } from './handshake.js';

export const PROTOCOL_IDS = ['sslv2', 'sslv3', 'tls1_0', 'tls1_1', 'tls1_2', 'tls1_3'] as const;
export type ProtocolId = (typeof PROTOCOL_IDS)[number];

export const PROTOCOL_NAMES: Record<ProtocolId, string> = {
  sslv2: 'SSLv2',
  sslv3: 'SSLv3',
  tls1_0: 'TLS 1.0',
  tls1_1: 'TLS 1.1',
  tls1_2: 'TLS 1.2',
  tls1_3: 'TLS 1.3',
};

/** Whether the server completes a handshake at one protocol version, and how that was found out. */
export type ProtocolSupport =
  | { state: 'offered'; via: 'node' | 'raw'; detail: string }
  | { state: 'not-offered'; via: 'node' | 'raw'; detail: string }
  /** This client cannot test it (not a statement about the server). */
  | { state: 'untestable'; detail: string }
  /** The server misbehaved or timed out: unknown. */
  | { state: 'inconclusive'; detail: string };

export interface TlsProtocolsFacts {
  protocols: Record<ProtocolId, ProtocolSupport>;
}

const NODE_VERSION: Partial<Record<ProtocolId, SecureVersion>> = {
  tls1_0: 'TLSv1',
  tls1_1: 'TLSv1.1',
  tls1_2: 'TLSv1.2',
  tls1_3: 'TLSv1.3',
};
const RAW_VERSION: Partial<Record<ProtocolId, RawVersion>> = {
  sslv2: 'SSLv2',
  sslv3: 'SSLv3',
  tls1_0: 'TLSv1',
  tls1_1: 'TLSv1.1',
  tls1_2: 'TLSv1.2',
};

/** Interprets a raw ClientHello answer for a version test. */
export function rawSupport(want: RawVersion, r: RawHelloResult): ProtocolSupport {
  switch (r.kind) {
    case 'server-hello':
      if (r.version === want)
        return {
          state: 'offered',
          via: 'raw',
          detail: `ServerHello ${r.version} with ${suiteName(r.suite)}`,
        };
      return { state: 'not-offered', via: 'raw', detail: `the server answered with ${r.version} instead` };
    case 'alert':
      return { state: 'not-offered', via: 'raw', detail: `the server refused (${r.message})` };
    case 'closed':
      return { state: 'not-offered', via: 'raw', detail: r.message };
    case 'not-tls':
      return { state: 'inconclusive', detail: `${r.message}: '${r.firstBytes}'` };
    case 'refused':
    case 'dns':
    case 'timeout':
    case 'other':
      return { state: 'inconclusive', detail: r.message };
  }
}

/** Interprets a Node handshake for a version test (the server already completed one handshake). */
export function nodeSupport(r: HandshakeResult): ProtocolSupport {
  if (r.ok) return { state: 'offered', via: 'node', detail: `${r.protocol} with ${r.cipher.standardName}` };
  switch (r.kind) {
    case 'declined':
    case 'closed':
      return { state: 'not-offered', via: 'node', detail: `the server refused (${r.message})` };
    case 'local':
      return { state: 'untestable', detail: `this client cannot offer it: ${r.message}` };
    case 'refused':
    case 'dns':
    case 'timeout':
    case 'not-tls':
    case 'other':
      return { state: 'inconclusive', detail: r.message };
  }
}

async function testProtocol(
  id: ProtocolId,
  ep: TlsEndpoint,
  run: <T>(t: () => Promise<T>) => Promise<T>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProtocolSupport> {
  const nodeVersion = NODE_VERSION[id];
  const rawVersion = RAW_VERSION[id];
  let viaNode: ProtocolSupport | null = null;
  if (nodeVersion) {
    const r = await run(() =>
      tlsHandshake(ep, {
        minVersion: nodeVersion,
        maxVersion: nodeVersion,
        // TLS 1.0/1.1 need SECLEVEL=0, or a legacy server looks as if it refused them.
        ...(nodeVersion === 'TLSv1.3' ? {} : { ciphers: LEGACY_CIPHERS }),
        timeoutMs,
        signal,
      }),
    );
    viaNode = nodeSupport(r);
    if (viaNode.state === 'offered' || !rawVersion) return viaNode;
  }
  // SSLv2/SSLv3 always, and TLS ≤ 1.2 when Node could not agree (the server may want RC4/3DES/EXPORT).
  const raw = rawSupport(
    rawVersion!,
    await run(() => rawHello(ep, { version: rawVersion!, suites: allSuites(), timeoutMs, signal })),
  );
  if (raw.state === 'offered' || !viaNode) return raw;
  if (viaNode.state === 'not-offered' && raw.state === 'not-offered') return viaNode;
  // The two disagree on something other than "offered": keep the more cautious answer.
  return viaNode.state === 'inconclusive' ? viaNode : raw;
}

export const tlsProtocolsProbe = defineProbe<TlsProtocolsFacts>({
  name: 'tls protocols',
  timeoutMs: (t) => t.timeoutMs * 2,
  async run(ctx) {
    const conn = await ctx.get(tlsConnectionProbe);
    if (!conn.established && conn.raw?.kind !== 'server-hello') {
      throw new FactUnavailable(
        'skip',
        `no TLS service to test (${conn.failure?.message ?? 'no handshake'}); tls.available reports it`,
      );
    }
    const gate = gateFor(ctx.target);
    const timeoutMs = handshakeTimeout(ctx.target, 0.25);
    const run = <T>(t: () => Promise<T>) => gate.run(t);
    const entries = await Promise.all(
      PROTOCOL_IDS.map(
        async (id) => [id, await testProtocol(id, conn.endpoint, run, timeoutMs, ctx.signal)] as const,
      ),
    );
    return { protocols: Object.fromEntries(entries) as Record<ProtocolId, ProtocolSupport> };
  },
});
