import { defineCheck } from '../../core/check.js';
import type { Finding } from '../../core/check.js';
import { suiteName } from '../../probes/tls/cipher-suites.js';
import { tlsConnectionProbe } from '../../probes/tls/connection.js';
import { describeEndpoint } from '../../probes/tls/endpoint.js';

export default defineCheck({
  id: 'tls.available',
  area: 'tls',
  title: 'HTTPS service available',
  severity: 'error',
  seed: 'Setting up SSL',
  description:
    "Opens a TLS connection to the site's host and port (honouring --resolve) as a current browser would (TLS 1.2+, default suites), then with legacy protocols and suites if that is declined. Fails when nothing listens, the connection times out or is closed, the server does not speak TLS, or it only accepts protocols and suites current clients no longer offer.",
  remediation:
    "Serve the site over HTTPS on port 443 with a certificate for its name (for example with a free ACME certificate such as Let's Encrypt) and TLS 1.2 and 1.3 enabled.",
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/',
    'https://ssl-config.mozilla.org/',
  ],
  outcomes: {
    'no-service': { title: 'Nothing accepts connections on the HTTPS port', severity: 'error' },
    timeout: { title: 'The HTTPS port gives no TLS answer in time', severity: 'error' },
    'not-tls': { title: 'The HTTPS port does not speak TLS', severity: 'error' },
    closed: { title: 'The server closes the connection during the TLS handshake', severity: 'error' },
    'handshake-failed': { title: 'No TLS handshake could be completed', severity: 'error' },
    'legacy-only': {
      title: 'TLS only with protocols or suites that current clients refuse',
      severity: 'error',
      remediation:
        'Enable TLS 1.2 and 1.3 with AEAD suites (e.g. Mozilla\'s "intermediate" configuration); remove SSLv3, RC4, 3DES and EXPORT suites.',
    },
  },
  probes: { conn: tlsConnectionProbe },
  mode: 'remote',
  run({ conn }): Finding[] {
    const where = describeEndpoint(conn.endpoint);
    const est = conn.established;
    if (est) {
      const how =
        conn.chainFrom === 'modern' ? 'a modern client' : 'only a legacy client (see tls.protocols)';
      return [
        {
          status: 'pass',
          message: `${where} completed a TLS handshake with ${how}: ${est.protocol}, ${est.cipher.standardName}`,
          evidence: {
            endpoint: conn.endpoint,
            protocol: est.protocol,
            cipher: est.cipher.standardName,
            alpn: est.alpn,
            modernClient: conn.modern.ok ? 'connected' : conn.modern.message,
          },
        },
      ];
    }
    const f = conn.failure ?? { kind: 'other' as const, message: 'no handshake completed' };
    const evidence = {
      endpoint: conn.endpoint,
      modern: conn.modern.ok
        ? null
        : { kind: conn.modern.kind, code: conn.modern.code, message: conn.modern.message },
      legacy:
        conn.legacy && !conn.legacy.ok ? { kind: conn.legacy.kind, message: conn.legacy.message } : null,
      raw:
        conn.raw?.kind === 'server-hello'
          ? { kind: conn.raw.kind, version: conn.raw.version, suite: suiteName(conn.raw.suite) }
          : conn.raw,
    };
    switch (f.kind) {
      case 'refused':
        return [
          {
            outcome: 'no-service',
            status: 'fail',
            message: `nothing accepts connections on ${where} (${f.message})`,
            evidence,
          },
        ];
      case 'timeout':
        return [{ outcome: 'timeout', status: 'fail', message: `${where}: ${f.message}`, evidence }];
      case 'not-tls': {
        const first = conn.raw?.kind === 'not-tls' ? `; it sent '${conn.raw.firstBytes}'` : '';
        return [
          {
            outcome: 'not-tls',
            status: 'fail',
            message: `${where} answers with something that is not TLS (${f.message})${first}: is plain HTTP served on the HTTPS port?`,
            evidence,
          },
        ];
      }
      case 'closed':
        return [{ outcome: 'closed', status: 'fail', message: `${where}: ${f.message}`, evidence }];
      case 'legacy-only':
        return [{ outcome: 'legacy-only', status: 'fail', message: f.message, evidence }];
      case 'dns':
        return [{ status: 'error', message: `${where}: the name does not resolve (${f.message})`, evidence }];
      case 'declined':
      case 'local':
      case 'other':
        return [
          {
            outcome: 'handshake-failed',
            status: 'fail',
            message: `${where}: no TLS handshake completed (${f.message})`,
            evidence,
          },
        ];
    }
  },
});
