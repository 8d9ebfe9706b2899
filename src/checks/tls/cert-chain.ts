import { defineCheck } from '../../core/check.js';
import { tlsCertificateProbe } from '../../probes/tls/certificate.js';

export default defineCheck({
  id: 'tls.cert-chain',
  area: 'tls',
  title: 'Server sends the complete chain',
  severity: 'warning',
  seed: '',
  description:
    "Checks that the certificates the server sends are enough to build the path to a root without fetching intermediates through AIA (browsers sometimes do; curl, PHP, payment processors and mobile apps do not). Fails when an intermediate certificate is missing. Whether the root is trusted is tls.cert-trusted's question.",
  remediation:
    'Configure the full chain: leaf first, then each intermediate (nginx `ssl_certificate /etc/letsencrypt/live/<site>/fullchain.pem;`, Apache 2.4.8+ `SSLCertificateFile` with the chain appended).',
  references: [
    'https://www.rfc-editor.org/rfc/rfc8446#section-4.4.2',
    'https://nginx.org/en/docs/http/configuring_https_servers.html#chains',
  ],
  outcomes: {
    incomplete: { title: 'Intermediate certificate missing', severity: 'warning' },
  },
  probes: { cert: tlsCertificateProbe },
  mode: 'remote',
  run({ cert }) {
    const { chain } = cert;
    const served = cert.served.map((c) => c.subject);
    const evidence = { served, unusedServed: chain.unused.map((i) => cert.served[i]?.subject) };
    const missing = chain.problems.find((p) => p.kind === 'incomplete');
    if (missing?.kind === 'incomplete') {
      return [
        {
          outcome: 'incomplete',
          status: 'fail',
          message: `the server sends ${served.length} certificate(s) but not the issuer '${missing.missingIssuer}'; clients that do not fetch intermediates fail to connect`,
          evidence: { ...evidence, missingIssuer: missing.missingIssuer, caIssuers: missing.caIssuers },
        },
      ];
    }
    const bad = chain.problems.find((p) => p.kind === 'bad-signature' || p.kind === 'too-long');
    if (!chain.complete || bad) {
      return [
        {
          status: 'skip',
          message:
            'the chain could not be followed to its end (tls.cert-trusted reports why), so completeness is unknown',
          evidence,
        },
      ];
    }
    const end = chain.path[chain.path.length - 1]!;
    const ends = end.anchor
      ? `a trusted root ('${end.info.subject}')`
      : `'${end.info.subject}', which is not trusted (see tls.cert-trusted)`;
    return [
      {
        status: 'pass',
        message: `the served certificates lead to ${ends} without fetching intermediates`,
        evidence: { ...evidence, path: chain.path.map((e) => e.info.subject) },
      },
    ];
  },
});
