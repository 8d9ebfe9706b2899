import type { SecureVersion } from 'node:tls';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import type { RawVersion } from './client-hello.js';
import { rawHello } from './client-hello.js';
import type { WeakCategory } from './cipher-suites.js';
import { suiteName, suitesOf } from './cipher-suites.js';
import { handshakeTimeout, tlsConnectionProbe } from './connection.js';
import type { HandshakeSuccess } from './handshake.js';
import { gateFor, tlsHandshake } from './handshake.js';
import { tlsProtocolsProbe } from './protocols.js';

export const CIPHER_CATEGORIES = ['null', 'anon', 'export', 'rc4', '3des', 'des', 'rsa-kx', 'cbc'] as const;
export type CipherCategory = (typeof CIPHER_CATEGORIES)[number];

/** Node cipher strings for the categories that OpenSSL 3 can still offer. */
const NODE_CATEGORY: Partial<Record<CipherCategory, string>> = {
  'rsa-kx': 'kRSA:!eNULL:!aNULL@SECLEVEL=0',
  cbc: 'SHA1:SHA256:SHA384:!eNULL:!aNULL@SECLEVEL=0',
};

export interface CategoryTest {
  protocol: string;
  via: 'node' | 'raw';
  state: 'accepted' | 'refused' | 'untestable' | 'inconclusive';
  detail: string;
  /** The suite the server chose, when it accepted one. */
  suite?: string;
}

export interface CategoryFacts {
  state: 'accepted' | 'refused' | 'untestable' | 'inconclusive';
  tests: CategoryTest[];
}

/** What a current client (Node defaults: TLS 1.2+, default suite order) is given. */
export interface ModernClientFacts {
  protocol: string;
  suite: string;
  forwardSecrecy: boolean;
  aead: boolean;
  ephemeral: HandshakeSuccess['ephemeral'];
}

export interface TlsCiphersFacts {
  /** Protocol versions the categories were tried at (e.g. TLSv1.2, TLSv1). Empty when only TLS 1.3 is offered. */
  testedAt: string[];
  categories: Record<CipherCategory, CategoryFacts>;
  modern: ModernClientFacts | null;
  /** Why there is no modern-client fact. */
  modernFailure: string | null;
}

export function describeSuite(h: HandshakeSuccess): ModernClientFacts {
  const tls13 = h.protocol === 'TLSv1.3';
  const std = h.cipher.standardName;
  return {
    protocol: h.protocol,
    suite: std,
    forwardSecrecy: tls13 || /^TLS_(EC)?DHE_/.test(std),
    aead: tls13 || /_GCM_|_CCM|CHACHA20_POLY1305/.test(std),
    ephemeral: h.ephemeral,
  };
}

export function aggregate(tests: CategoryTest[]): CategoryFacts['state'] {
  if (tests.some((t) => t.state === 'accepted')) return 'accepted';
  if (tests.some((t) => t.state === 'inconclusive')) return 'inconclusive';
  if (tests.length > 0 && tests.every((t) => t.state === 'untestable')) return 'untestable';
  return 'refused';
}

export const tlsCiphersProbe = defineProbe<TlsCiphersFacts>({
  name: 'tls ciphers',
  // Waits for the protocol probe, then up to 16 handshakes of a quarter budget each, 6 at a time.
  timeoutMs: (t) => t.timeoutMs * 3,
  async run(ctx) {
    const conn = await ctx.get(tlsConnectionProbe);
    const { protocols } = await ctx.get(tlsProtocolsProbe);
    const modern = conn.modern.ok ? describeSuite(conn.modern) : null;
    const modernFailure = conn.modern.ok ? null : `a modern client cannot connect: ${conn.modern.message}`;
    const versions: [SecureVersion, RawVersion][] = [];
    if (protocols.tls1_2.state === 'offered') versions.push(['TLSv1.2', 'TLSv1.2']);
    if (protocols.tls1_0.state === 'offered') versions.push(['TLSv1', 'TLSv1']);
    if (!versions.length && protocols.tls1_1.state === 'offered') versions.push(['TLSv1.1', 'TLSv1.1']);
    if (!versions.length && protocols.tls1_3.state !== 'offered') {
      throw new FactUnavailable(
        'skip',
        'no protocol version up to TLS 1.2 could be confirmed, so suites cannot be tried',
      );
    }
    const gate = gateFor(ctx.target);
    const timeoutMs = handshakeTimeout(ctx.target, 0.25);
    const signal = ctx.signal;
    const one = async (
      cat: CipherCategory,
      [nodeV, rawV]: [SecureVersion, RawVersion],
    ): Promise<CategoryTest> => {
      const nodeCiphers = NODE_CATEGORY[cat];
      if (nodeCiphers) {
        const r = await gate.run(() =>
          tlsHandshake(conn.endpoint, {
            minVersion: nodeV,
            maxVersion: nodeV,
            ciphers: nodeCiphers,
            timeoutMs,
            signal,
          }),
        );
        if (r.ok)
          return {
            protocol: r.protocol,
            via: 'node',
            state: 'accepted',
            detail: 'handshake completed',
            suite: r.cipher.standardName,
          };
        const state =
          r.kind === 'declined' || r.kind === 'closed'
            ? 'refused'
            : r.kind === 'local'
              ? 'untestable'
              : 'inconclusive';
        return { protocol: nodeV, via: 'node', state, detail: r.message };
      }
      const offer = suitesOf(cat as WeakCategory);
      const r = await gate.run(() =>
        rawHello(conn.endpoint, { version: rawV, suites: offer, timeoutMs, signal }),
      );
      switch (r.kind) {
        case 'server-hello':
          if (!offer.includes(r.suite))
            return {
              protocol: r.version,
              via: 'raw',
              state: 'inconclusive',
              detail: `the server chose ${suiteName(r.suite)}, which was not offered`,
            };
          return {
            protocol: r.version,
            via: 'raw',
            state: 'accepted',
            detail: 'ServerHello',
            suite: suiteName(r.suite),
          };
        case 'alert':
        case 'closed':
          return { protocol: rawV, via: 'raw', state: 'refused', detail: r.message };
        case 'not-tls':
          return {
            protocol: rawV,
            via: 'raw',
            state: 'inconclusive',
            detail: `${r.message}: '${r.firstBytes}'`,
          };
        case 'refused':
        case 'dns':
        case 'timeout':
        case 'other':
          return { protocol: rawV, via: 'raw', state: 'inconclusive', detail: r.message };
      }
    };
    const categories = Object.fromEntries(
      await Promise.all(
        CIPHER_CATEGORIES.map(async (cat) => {
          const tests = await Promise.all(versions.map((v) => one(cat, v)));
          return [cat, { state: aggregate(tests), tests }] as const;
        }),
      ),
    ) as Record<CipherCategory, CategoryFacts>;
    // A static-RSA or CBC suite accepted in a weak-category test (e.g. TLS_RSA_WITH_3DES_EDE_CBC_SHA)
    // counts for those categories too: Node's own tests cannot offer such suites.
    const derived: [CipherCategory, CategoryTest][] = [];
    for (const cat of CIPHER_CATEGORIES) {
      if (cat === 'rsa-kx' || cat === 'cbc') continue;
      for (const t of categories[cat].tests) {
        if (t.state !== 'accepted' || !t.suite) continue;
        const d = { ...t, detail: `seen in the ${cat} test` };
        if (/^TLS_RSA_/.test(t.suite)) derived.push(['rsa-kx', d]);
        if (/_CBC_/.test(t.suite)) derived.push(['cbc', d]);
      }
    }
    for (const [cat, t] of derived) categories[cat].tests.push(t);
    for (const cat of ['rsa-kx', 'cbc'] as const) categories[cat].state = aggregate(categories[cat].tests);
    return { testedAt: versions.map(([v]) => v), categories, modern, modernFailure };
  },
});
