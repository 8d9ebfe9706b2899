import { isIP } from 'node:net';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import { describeError } from '../../core/errors.js';
import type { CertInfo, ParsedCert } from './certificate-info.js';
import { parseCert } from './certificate-info.js';
import type { ChainVerdict } from './chain.js';
import { buildChain, trustAnchors } from './chain.js';
import { tlsConnectionProbe } from './connection.js';

/** The served certificates, the path built from them, and whether the leaf covers the host. */
export interface TlsCertificateFacts {
  host: string;
  /** Served chain, leaf first (at most 16). */
  served: CertInfo[];
  chain: ChainVerdict;
  hostname: {
    host: string;
    /** The SAN entry that matched (browsers ignore the subject CN), or null. */
    matched: string | null;
    /** The host matches only the subject CN, which current clients ignore. */
    cnOnly: boolean;
  };
  /** When the facts were taken (expiry is judged against this instant). */
  checkedAt: string;
  /** Which exchange delivered the chain. */
  from: 'modern' | 'legacy' | 'raw';
  /** Number of CAs from `--ca` that were trusted. */
  extraAnchors: number;
}

export const tlsCertificateProbe = defineProbe<TlsCertificateFacts>({
  name: 'tls certificate',
  async run(ctx) {
    const conn = await ctx.get(tlsConnectionProbe);
    if (!conn.chainFrom || conn.chain.length === 0) {
      throw new FactUnavailable(
        'skip',
        conn.failure
          ? `no certificate: no TLS handshake completed (${conn.failure.message}); tls.available reports it`
          : 'the server sent no certificate',
      );
    }
    let parsed: ParsedCert[];
    try {
      parsed = conn.chain.slice(0, 16).map((der) => parseCert(der));
    } catch (e) {
      throw new FactUnavailable(
        'error',
        `the server sent a certificate that cannot be parsed: ${describeError(e)}`,
      );
    }
    const now = new Date();
    const anchors = trustAnchors(ctx.target.ca);
    const chain = buildChain(parsed, anchors, now);
    const host = conn.endpoint.host;
    const leaf = parsed[0]!.x509;
    let matched: string | null;
    let cnOnly = false;
    if (isIP(host)) {
      matched = leaf.checkIP(host) ?? null;
    } else {
      matched = leaf.checkHost(host, { subject: 'never' }) ?? null;
      if (!matched) cnOnly = leaf.checkHost(host, { subject: 'always' }) !== undefined;
    }
    return {
      host,
      served: parsed.map((p) => p.info),
      chain,
      hostname: { host, matched, cnOnly },
      checkedAt: now.toISOString(),
      from: conn.chainFrom,
      extraAnchors: anchors.filter((a) => a.source === 'ca-option').length,
    };
  },
});
