import { defineCheck } from '../../core/check.js';
import type { Finding } from '../../core/check.js';
import type { ProtocolId, ProtocolSupport } from '../../probes/tls/protocols.js';
import { PROTOCOL_IDS, PROTOCOL_NAMES, tlsProtocolsProbe } from '../../probes/tls/protocols.js';

const LEGACY: ReadonlySet<ProtocolId> = new Set(['sslv2', 'sslv3', 'tls1_0', 'tls1_1']);

export default defineCheck({
  id: 'tls.protocols',
  area: 'tls',
  title: 'TLS protocol versions',
  severity: 'warning',
  seed: 'Encrypted data transfer',
  description:
    'Tries one handshake per protocol version: TLS 1.0–1.3 with Node (legacy versions at OpenSSL security level 0, so that a legacy server is not mistaken for one that refuses), and SSLv2, SSLv3 and a fallback for TLS ≤ 1.2 with a hand-built ClientHello. One result per version: SSLv3, TLS 1.0 or TLS 1.1 offered is a warning (SSLv2 an error); neither TLS 1.2 nor 1.3 is an error; no TLS 1.3 is a notice. A version that could not be tested is its own skip or error result.',
  remediation:
    'Offer only TLS 1.2 and TLS 1.3 (nginx `ssl_protocols TLSv1.2 TLSv1.3;`, Apache `SSLProtocol -all +TLSv1.2 +TLSv1.3`).',
  references: ['https://www.rfc-editor.org/rfc/rfc8996', 'https://ssl-config.mozilla.org/'],
  outcomes: {
    sslv2: { title: 'SSLv2', severity: 'error' },
    sslv3: { title: 'SSLv3', severity: 'warning' },
    tls1_0: { title: 'TLS 1.0', severity: 'warning' },
    tls1_1: { title: 'TLS 1.1', severity: 'warning' },
    tls1_2: { title: 'TLS 1.2', severity: 'error' },
    tls1_3: {
      title: 'TLS 1.3',
      severity: 'notice',
      remediation:
        'Enable TLS 1.3 (nginx `ssl_protocols TLSv1.2 TLSv1.3;` with OpenSSL ≥ 1.1.1; Apache `SSLProtocol -all +TLSv1.2 +TLSv1.3`).',
    },
  },
  probes: { tls: tlsProtocolsProbe },
  mode: 'remote',
  run({ tls }): Finding[] {
    const p = tls.protocols;
    const modernOffered = p.tls1_2.state === 'offered' || p.tls1_3.state === 'offered';
    return PROTOCOL_IDS.map((id): Finding => {
      const s: ProtocolSupport = p[id];
      const name = PROTOCOL_NAMES[id];
      const evidence = { protocol: name, ...s };
      if (s.state === 'untestable')
        return { outcome: id, status: 'skip', message: `${name} not tested: ${s.detail}`, evidence };
      if (s.state === 'inconclusive')
        return { outcome: id, status: 'error', message: `${name}: no clear answer (${s.detail})`, evidence };
      const offered = s.state === 'offered';
      if (LEGACY.has(id)) {
        return offered
          ? {
              outcome: id,
              status: 'fail',
              message: `${name} is offered (${s.detail}); it is deprecated and insecure`,
              evidence,
            }
          : { outcome: id, status: 'pass', message: `${name} is not offered`, evidence };
      }
      if (id === 'tls1_2') {
        if (offered)
          return { outcome: id, status: 'pass', message: `TLS 1.2 is offered (${s.detail})`, evidence };
        if (modernOffered)
          return {
            outcome: id,
            status: 'pass',
            message: 'TLS 1.2 is not offered; TLS 1.3 is, which current clients use',
            evidence,
          };
        if (p.tls1_3.state !== 'not-offered')
          return {
            outcome: id,
            status: 'error',
            message: 'TLS 1.2 is not offered and TLS 1.3 could not be tested',
            evidence,
          };
        return {
          outcome: id,
          status: 'fail',
          severity: 'error',
          message: 'neither TLS 1.2 nor TLS 1.3 is offered: current browsers cannot connect securely',
          evidence,
        };
      }
      return offered
        ? { outcome: id, status: 'pass', message: `TLS 1.3 is offered (${s.detail})`, evidence }
        : { outcome: id, status: 'fail', message: 'TLS 1.3 is not offered', evidence };
    });
  },
});
