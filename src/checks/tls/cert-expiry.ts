import { defineCheck } from '../../core/check.js';
import { tlsCertificateProbe } from '../../probes/tls/certificate.js';

const DAY = 86_400_000;

function days(ms: number): number {
  return Math.round((ms / DAY) * 10) / 10;
}

export default defineCheck({
  id: 'tls.cert-expiry',
  area: 'tls',
  title: 'Certificate validity period',
  severity: 'error',
  seed: 'certificates expire',
  description:
    "Compares the leaf certificate's validity with the time of the audit, as fractions of its lifetime so that 90-day, 45-day and 6-day certificates are judged alike: expired or not yet valid is critical; less than 1/12 of the lifetime left is an error; less than 1/6 left is a warning (ACME clients renew when 1/3 is left, so renewal is evidently failing). Reports days left, lifetime and issuer.",
  remediation:
    'Renew the certificate and make renewal automatic (certbot/acme.sh timer, or an ACME-capable server); check the renewal logs and that the web server reloads after renewal.',
  references: [
    'https://letsencrypt.org/docs/integration-guide/#when-to-renew',
    'https://www.rfc-editor.org/rfc/rfc5280#section-4.1.2.5',
  ],
  outcomes: {
    expired: { title: 'Certificate expired', severity: 'critical' },
    'not-yet-valid': { title: 'Certificate not yet valid', severity: 'critical' },
    'expires-soon': { title: 'Less than 1/12 of the certificate lifetime left', severity: 'error' },
    'renewal-overdue': {
      title: 'Less than 1/6 of the certificate lifetime left: renewal is failing',
      severity: 'warning',
    },
  },
  probes: { cert: tlsCertificateProbe },
  mode: 'remote',
  run({ cert }) {
    const leaf = cert.served[0]!;
    const now = new Date(cert.checkedAt).getTime();
    const from = new Date(leaf.notBefore).getTime();
    const to = new Date(leaf.notAfter).getTime();
    const lifetime = to - from;
    const left = to - now;
    const fractionLeft = lifetime > 0 ? left / lifetime : 0;
    const evidence = {
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      daysLeft: days(left),
      lifetimeDays: days(lifetime),
      fractionLeft: Math.round(fractionLeft * 1000) / 1000,
      issuer: leaf.issuer,
    };
    const tail = `(lifetime ${evidence.lifetimeDays} days, issued by '${leaf.issuer}')`;
    if (now < from) {
      return [
        {
          outcome: 'not-yet-valid',
          status: 'fail',
          message: `the certificate is not valid until ${leaf.notBefore} (${days(from - now)} days from now) ${tail}: is the server clock or the certificate wrong?`,
          evidence,
        },
      ];
    }
    if (left <= 0) {
      return [
        {
          outcome: 'expired',
          status: 'fail',
          message: `the certificate expired on ${leaf.notAfter}, ${days(-left)} days ago ${tail}`,
          evidence,
        },
      ];
    }
    if (fractionLeft < 1 / 12) {
      return [
        {
          outcome: 'expires-soon',
          status: 'fail',
          message: `the certificate expires on ${leaf.notAfter}: ${evidence.daysLeft} days left, under 1/12 of its lifetime ${tail}`,
          evidence,
        },
      ];
    }
    if (fractionLeft < 1 / 6) {
      return [
        {
          outcome: 'renewal-overdue',
          status: 'fail',
          message: `the certificate expires on ${leaf.notAfter}: ${evidence.daysLeft} days left, under 1/6 of its lifetime, so automatic renewal (due at 1/3) has not happened ${tail}`,
          evidence,
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: `valid until ${leaf.notAfter}: ${evidence.daysLeft} days left ${tail}`,
        evidence,
      },
    ];
  },
});
