/** Builders of constructed TLS facts for the tls.* checks' table tests (no I/O). */
import type { CertInfo } from '../../../probes/tls/certificate-info.js';
import type { TlsCertificateFacts } from '../../../probes/tls/certificate.js';
import type { ChainProblem, PathEntry } from '../../../probes/tls/chain.js';
import type {
  CategoryFacts,
  CipherCategory,
  ModernClientFacts,
  TlsCiphersFacts,
} from '../../../probes/tls/ciphers.js';
import { CIPHER_CATEGORIES } from '../../../probes/tls/ciphers.js';
import type { TlsConnectionFacts } from '../../../probes/tls/connection.js';
import type { HandshakeResult, HandshakeSuccess } from '../../../probes/tls/handshake.js';
import type { ProtocolId, ProtocolSupport, TlsProtocolsFacts } from '../../../probes/tls/protocols.js';

const DAY = 86_400_000;
export const NOW = new Date('2026-06-01T00:00:00Z');

export function certInfo(p: Partial<CertInfo> = {}): CertInfo {
  return {
    subject: 'CN=site.test',
    issuer: 'CN=Test CA',
    serialNumber: '01',
    notBefore: new Date(NOW.getTime() - 10 * DAY).toISOString(),
    notAfter: new Date(NOW.getTime() + 80 * DAY).toISOString(),
    fingerprint256: 'AA',
    selfIssued: false,
    selfSigned: false,
    isCa: false,
    key: { type: 'ec', bits: 256, curve: 'prime256v1' },
    signature: { oid: '1.2.840.10045.4.3.2', name: 'ecdsa-with-SHA256', hash: 'SHA-256' },
    dnsNames: ['site.test'],
    ipAddresses: [],
    caIssuers: [],
    extKeyUsage: ['1.3.6.1.5.5.7.3.1'],
    pem: '',
    ...p,
  };
}

export const ROOT = certInfo({
  subject: 'CN=Test CA',
  issuer: 'CN=Test CA',
  selfIssued: true,
  selfSigned: true,
  isCa: true,
  dnsNames: [],
  key: { type: 'rsa', bits: 4096, curve: null },
  signature: { oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'SHA-1' },
});

export interface CertFactsInput {
  served?: CertInfo[];
  path?: PathEntry[];
  problems?: ChainProblem[];
  trusted?: boolean;
  complete?: boolean;
  matched?: string | null;
  cnOnly?: boolean;
  checkedAt?: Date;
}

/** A certificate fact; by default a leaf under a trusted --ca root, matching site.test. */
export function certFacts(i: CertFactsInput = {}): TlsCertificateFacts {
  const served = i.served ?? [certInfo()];
  const path: PathEntry[] = i.path ?? [
    ...served.map((info, idx) => ({ served: idx, anchor: null, info })),
    { served: null, anchor: 'ca-option', info: ROOT },
  ];
  const problems = i.problems ?? [];
  return {
    host: 'site.test',
    served,
    chain: {
      path,
      trusted: i.trusted ?? problems.length === 0,
      complete: i.complete ?? !problems.some((p) => p.kind === 'incomplete'),
      problems,
      unused: [],
    },
    hostname: {
      host: 'site.test',
      matched: i.matched === undefined ? 'site.test' : i.matched,
      cnOnly: i.cnOnly ?? false,
    },
    checkedAt: (i.checkedAt ?? NOW).toISOString(),
    from: 'modern',
    extraAnchors: 1,
  };
}

export const ENDPOINT = {
  host: 'site.test',
  port: 443,
  address: '127.0.0.1',
  servername: 'site.test',
  via: 'resolve-pin' as const,
};

export function success(protocol = 'TLSv1.3', standardName = 'TLS_AES_128_GCM_SHA256'): HandshakeSuccess {
  return {
    ok: true,
    protocol,
    cipher: { name: standardName, standardName, version: protocol },
    ephemeral: { type: 'ECDH', name: 'X25519', size: 253 },
    alpn: null,
    chain: [],
    durationMs: 3,
  };
}

export function failure(
  kind: Extract<HandshakeResult, { ok: false }>['kind'],
  message = kind,
): HandshakeResult {
  return { ok: false, kind, code: null, message, durationMs: 3 };
}

export function connFacts(p: Partial<TlsConnectionFacts> = {}): TlsConnectionFacts {
  const modern = p.modern ?? success();
  return {
    endpoint: ENDPOINT,
    modern,
    legacy: null,
    raw: null,
    established: modern.ok ? modern : null,
    chain: [],
    chainFrom: modern.ok ? 'modern' : null,
    failure: null,
    ...p,
  };
}

const OFF: ProtocolSupport = { state: 'not-offered', via: 'node', detail: 'refused' };
const ON: ProtocolSupport = { state: 'offered', via: 'node', detail: 'handshake' };

/** Protocol facts: the listed ids offered, the rest refused, with overrides. */
export function protocolFacts(
  offered: ProtocolId[],
  overrides: Partial<Record<ProtocolId, ProtocolSupport>> = {},
): TlsProtocolsFacts {
  const ids: ProtocolId[] = ['sslv2', 'sslv3', 'tls1_0', 'tls1_1', 'tls1_2', 'tls1_3'];
  return {
    protocols: Object.fromEntries(
      ids.map((id) => [id, overrides[id] ?? (offered.includes(id) ? ON : OFF)]),
    ) as Record<ProtocolId, ProtocolSupport>,
  };
}

export function cipherFacts(
  states: Partial<Record<CipherCategory, CategoryFacts['state']>> = {},
  modern: ModernClientFacts | null = {
    protocol: 'TLSv1.3',
    suite: 'TLS_AES_128_GCM_SHA256',
    forwardSecrecy: true,
    aead: true,
    ephemeral: null,
  },
  testedAt: string[] = ['TLSv1.2'],
): TlsCiphersFacts {
  const categories = Object.fromEntries(
    CIPHER_CATEGORIES.map((c) => {
      const state = states[c] ?? 'refused';
      return [
        c,
        {
          state,
          tests: testedAt.map((protocol) => ({
            protocol,
            via: 'raw' as const,
            state,
            detail: state,
            ...(state === 'accepted' ? { suite: `SUITE_${c}` } : {}),
          })),
        },
      ];
    }),
  ) as Record<CipherCategory, CategoryFacts>;
  return {
    testedAt,
    categories,
    modern,
    modernFailure: modern ? null : 'a modern client cannot connect: alert',
  };
}
