import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { AccessLogFacts, AttackExample } from '../../probes/access-log.js';
import { accessLogProbe } from '../../probes/access-log.js';

const n = (k: number, one: string, many = one + 's') => `${k} ${k === 1 ? one : many}`;
const example = (e: AttackExample) =>
  `${e.source} ${e.method} ${e.target.slice(0, 120)} → ${e.status} [${e.tags.join(', ')}] (${e.file.split('/').pop()}:${e.line})`;

function inputFindings(f: AccessLogFacts): Finding[] {
  const out: Finding[] = [];
  for (const file of f.files) {
    if (file.error) {
      out.push({
        outcome: 'input',
        status: 'error',
        message: `${file.file}: ${file.error}`,
        evidence: { ...file },
      });
    } else if (file.lines > 0 && file.unparsed === file.lines) {
      out.push({
        outcome: 'input',
        status: 'error',
        message: `${file.file}: none of its ${file.lines === 1 ? 'lines' : `${file.lines} lines`} is in the combined log format${file.truncated ? ` (${file.truncated})` : ''}`,
        evidence: { ...file },
      });
    } else if (file.truncated) {
      out.push({
        outcome: 'input',
        status: 'skip',
        message: `${file.file}: only partly read (${file.truncated}); the rest was not looked at`,
        evidence: { ...file },
      });
    }
  }
  return out;
}

export default defineCheck({
  id: 'ids.events',
  area: 'ids',
  title: 'Attacks in the access log',
  severity: 'warning',
  seed: 'PHPIDS',
  description:
    'With --access-log FILE… (nginx/Apache combined format, gzip allowed, capped), scores every request (SQL injection, XSS, traversal/LFI/RFI, command injection, SSTI, JNDI, secret-file and CiviCRM-exploit probes, scanner user agents), counts attempts by tag and source (info) and fails when attacks got a 2xx answer (warning): the server may have served what the attacker asked for.',
  remediation:
    'Look at each attack the server answered with 2xx: was data returned (a dump, .git, a settings backup) or did the request change anything? Remove exposed files, patch the targeted component, block repeat sources, and put the IDS (`civiguard serve`, or `civiguard ids` in front of CiviCRM) in the path.',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/',
    'https://owasp.org/www-project-top-ten/',
  ],
  outcomes: {
    answered: { title: 'Attacks answered with 2xx', severity: 'warning' },
    summary: { title: 'Attack attempts by tag and source', severity: 'info' },
    input: { title: 'Access log not fully read', severity: 'warning' },
  },
  probes: { logs: accessLogProbe },
  mode: 'local',
  run({ logs }) {
    const out: Finding[] = [];
    if (logs.requests === 0) {
      // Nothing readable as a request: no verdict on attacks, only why.
      const why = inputFindings(logs);
      return why.length
        ? why
        : [{ outcome: 'summary', status: 'skip', message: 'the access logs hold no request (empty files)' }];
    }
    const window = logs.first ? ` (${logs.first} … ${logs.last})` : '';
    const evidence = {
      files: logs.files,
      requests: logs.requests,
      attempts: logs.attempts,
      byTag: logs.byTag,
      bySource: logs.bySource,
      sources: logs.sources,
      examples: logs.examples,
      scorer: logs.scorer,
    };
    if (logs.attempts === 0) {
      out.push({
        outcome: 'summary',
        status: 'pass',
        severity: 'info',
        message: `no attack attempt in ${n(logs.requests, 'request')}${window}`,
        evidence,
      });
    } else {
      const tags = Object.entries(logs.byTag)
        .sort((a, b) => b[1] - a[1])
        .map(([t, k]) => `${t} ${k}`)
        .join(', ');
      const top = logs.bySource
        .slice(0, 5)
        .map((s) => `${s.source} (${s.attempts})`)
        .join(', ');
      out.push({
        outcome: 'summary',
        status: 'fail',
        severity: 'info',
        message: `${n(logs.attempts, 'attack attempt')} in ${n(logs.requests, 'request')}${window} from ${n(logs.sources, 'source')}: ${tags}; top sources: ${top}`,
        evidence,
      });
    }
    if (logs.answered2xx > 0) {
      out.push({
        outcome: 'answered',
        status: 'fail',
        message: `${n(logs.answered2xx, 'attack')} got a 2xx answer, e.g. ${logs.answered.slice(0, 3).map(example).join('; ')}`,
        evidence: { answered2xx: logs.answered2xx, answered: logs.answered },
      });
    } else {
      out.push({
        outcome: 'answered',
        status: 'pass',
        message: logs.attempts
          ? `none of the ${n(logs.attempts, 'attempt')} got a 2xx answer`
          : 'no attack to be answered',
      });
    }
    out.push(...inputFindings(logs));
    return out;
  },
});
