import type { Report, Result } from '../../core/result.js';
import { summarize } from '../../core/result.js';

/** A secret that must never reach any output format. */
export const SECRET = 'hunter2-Sup3rSecret';

/** Text a hostile server could put into headers, bodies and file names. */
export const HOSTILE = `<script>alert("x")</script> & 'quotes' ]]> \x1b[31mred\x1b[0m \x00nul \r\u202egnp.exe \uD800 <img src=https://evil.example/x>`;

const base = (r: Partial<Result> & Pick<Result, 'check' | 'status' | 'severity'>): Result => ({
  title: `Title of ${r.check}`,
  message: `message of ${r.id ?? r.check}`,
  ...r,
});

/** A report with every status, several areas and severities, hostile text and secrets in it. */
export function sampleReport(results: Result[] = sampleResults()): Report {
  return {
    tool: { name: 'civiguard', version: '0.1.0' },
    target: { url: 'https://demo.civiguard.test:8443/', root: null, cms: 'drupal' },
    startedAt: '2026-03-01T10:00:00.000Z',
    durationMs: 1234,
    results,
    summary: summarize(results),
  };
}

export function sampleResults(): Result[] {
  return [
    base({ check: 'tls.cert-trusted', status: 'pass', severity: 'error', message: 'chain verifies' }),
    base({
      check: 'tls.protocols',
      id: 'tls.protocols.tls1_0',
      status: 'fail',
      severity: 'warning',
      message: 'TLS 1.0 is offered',
      remediation: 'Turn off TLS 1.0: `ssl_protocols TLSv1.2 TLSv1.3;`',
      references: ['https://www.rfc-editor.org/rfc/rfc8996'],
    }),
    base({
      check: 'tls.protocols',
      id: 'tls.protocols.sslv3',
      status: 'skip',
      severity: 'warning',
      message: 'node cannot offer SSLv3',
    }),
    base({
      check: 'http.hsts',
      id: 'http.hsts.missing',
      status: 'fail',
      severity: 'warning',
      remediation: 'Send HSTS.',
    }),
    base({
      check: 'http.disclosure',
      status: 'fail',
      severity: 'notice',
      message: `Server header says ${HOSTILE}`,
      evidence: { url: 'https://demo.civiguard.test:8443/', server: HOSTILE },
      remediation: 'Hide versions.',
    }),
    base({
      check: 'exposure.backups',
      status: 'fail',
      severity: 'critical',
      message: `dump downloadable: /backup.sql contains password=${SECRET}`,
      evidence: {
        url: 'https://demo.civiguard.test:8443/backup.sql',
        snippet: `INSERT INTO users VALUES ('admin', 'password=${SECRET}');`,
        dsn: `mysql://civi:${SECRET}@db.internal/civicrm`,
        password: SECRET,
      },
      remediation: 'Remove the dump from the web root.',
    }),
    base({
      check: 'exposure.vcs',
      status: 'error',
      severity: 'error',
      message: 'https://demo.civiguard.test:8443/.git/HEAD: connection reset',
      remediation: 'Fix the server.',
    }),
    base({ check: 'ssh.password-auth', status: 'skip', severity: 'warning', message: 'no --ssh given' }),
    base({
      check: 'access.admin-exposed',
      status: 'fail',
      severity: 'notice',
      message: '/civicrm/admin answers 200',
    }),
  ];
}
