import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { ProbedItem } from '../../probes/exposure/index.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { gitConfig, gitHead, hgRequires, svnFile } from './content.js';
import { evidenceOf, served, unansweredFinding } from './judge.js';

function marker(item: ProbedItem): string | null {
  const body = item.answer!.body;
  if (item.path.endsWith('.git/HEAD')) return gitHead(body);
  if (item.path.endsWith('.git/config')) return gitConfig(body);
  if (item.tag === 'svn') return svnFile(body);
  if (item.tag === 'hg') return hgRequires(body);
  return null;
}

export default defineCheck({
  id: 'exposure.vcs',
  area: 'exposure',
  title: 'Version control metadata not reachable',
  severity: 'error',
  seed: '',
  description:
    'Requests `/.git/HEAD`, `/.git/config`, `/.svn/entries`, `/.svn/wc.db`, `/.hg/requires` (and `.git/HEAD` of the CiviCRM code dir) and judges the content: a `ref: refs/…` or object id, a `[core]` section, an svn format number or SQLite header, hg requirement lines. Fails when one is served; a 200 page that is not such content (a catch-all) does not count.',
  remediation:
    'Deny dot-directories in the server config (nginx `location ~ /\\.(git|svn|hg) { deny all; }`, Apache `RedirectMatch 404 /\\.(git|svn|hg)`), or deploy without the repository metadata. The history may hold old secrets: rotate them.',
  references: ['https://owasp.org/www-project-web-security-testing-guide/'],
  outcomes: {
    git: { title: 'Git metadata is served', severity: 'error' },
    svn: { title: 'Subversion metadata is served', severity: 'error' },
    hg: { title: 'Mercurial metadata is served', severity: 'error' },
  },
  probes: { exposure: exposureProbe },
  mode: 'remote',
  run({ exposure }) {
    const items = exposure.items.filter((i) => i.group === 'vcs');
    const findings: Finding[] = [];
    for (const item of items) {
      const found = served(item) ? marker(item) : null;
      if (!found) continue;
      findings.push({
        outcome: item.tag as 'git' | 'svn' | 'hg',
        status: 'fail',
        message: `${item.url} is served (${found})`,
        evidence: { ...evidenceOf(item), found },
      });
    }
    const unanswered = unansweredFinding(items, 'VCS metadata', exposure);
    if (unanswered) findings.push(unanswered);
    if (findings.length > 0) return findings;
    return [
      {
        status: 'pass',
        message: `none of ${items.length} VCS metadata files is served`,
        evidence: { looked: items.map(evidenceOf) },
      },
    ];
  },
});
