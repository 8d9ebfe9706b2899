import { defineCheck } from '../../core/check.js';
import { tlsCertificateProbe } from '../../probes/tls/certificate.js';

export default defineCheck({
  id: 'tls.cert-hostname',
  area: 'tls',
  title: 'Certificate covers the host name',
  severity: 'error',
  seed: 'Setting up SSL',
  description:
    "Matches the site's host name (or IP address) against the leaf certificate's subjectAltName entries, wildcards included, as browsers do (RFC 6125); the subject CN alone does not count, since current clients ignore it. Fails when no entry covers the host.",
  remediation:
    'Get a certificate that lists the exact host name (and www. if used) as a DNS subjectAltName; with certbot: `certbot certonly -d example.org -d www.example.org`.',
  references: [
    'https://www.rfc-editor.org/rfc/rfc6125',
    'https://www.rfc-editor.org/rfc/rfc2818#section-3.1',
  ],
  outcomes: {
    mismatch: { title: 'Certificate is for another name', severity: 'error' },
    'cn-only': { title: 'Host name only in the subject CN', severity: 'error' },
  },
  probes: { cert: tlsCertificateProbe },
  mode: 'remote',
  run({ cert }) {
    const leaf = cert.served[0]!;
    const names = [...leaf.dnsNames, ...leaf.ipAddresses];
    const evidence = { host: cert.hostname.host, subject: leaf.subject, subjectAltNames: names.slice(0, 50) };
    if (cert.hostname.matched) {
      return [
        {
          status: 'pass',
          message: `the certificate covers ${cert.hostname.host} (entry '${cert.hostname.matched}')`,
          evidence,
        },
      ];
    }
    if (cert.hostname.cnOnly) {
      return [
        {
          outcome: 'cn-only',
          status: 'fail',
          message: `${cert.hostname.host} appears only in the subject CN ('${leaf.subject}'), not in subjectAltName, which browsers require`,
          evidence,
        },
      ];
    }
    const shown = names.length
      ? names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : '')
      : 'no subjectAltName at all';
    return [
      {
        outcome: 'mismatch',
        status: 'fail',
        message: `the certificate does not cover ${cert.hostname.host}: it is for ${shown}`,
        evidence,
      },
    ];
  },
});
