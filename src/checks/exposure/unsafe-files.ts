import type { Finding } from '../../core/check.js';
import { defineCheck } from '../../core/check.js';
import type { ProbedItem } from '../../probes/exposure/index.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { dompdfOutput, installerOffer, ofcUploadOutput, phpinfo } from './content.js';
import { answered, evidenceOf, scriptRuns, served, unansweredFinding } from './judge.js';

type Tag = 'phpinfo' | 'dompdf' | 'ofc-upload' | 'installer';

/** What shows the leftover is there and runs, or null. */
function found(item: ProbedItem): string | null {
  const body = item.answer?.body;
  if (!body) return null;
  const own = served(item);
  switch (item.tag as Tag) {
    case 'phpinfo':
      return own ? phpinfo(body) : null;
    case 'installer':
      return own ? installerOffer(body) : null;
    case 'dompdf':
      return (
        (own ? dompdfOutput(body) : null) ??
        (scriptRuns(item)
          ? `answers ${answered(item)} where a random .php name answers ${item.baseline!.status}`
          : null)
      );
    case 'ofc-upload':
      return (
        (own ? ofcUploadOutput(body) : null) ??
        (scriptRuns(item)
          ? `answers ${answered(item)} where a random .php name answers ${item.baseline!.status}`
          : null)
      );
  }
}

export default defineCheck({
  id: 'exposure.unsafe-files',
  area: 'exposure',
  title: 'No dangerous leftover scripts',
  severity: 'critical',
  seed: 'PHPIDS/other',
  description:
    "Requests the leftovers CiviCRM's own status check names (dompdf's `dompdf.php` under packages/ and vendor/, OpenFlashChart's `ofc_upload_image.php`), installers (CiviCRM's old `install/index.php`, the CMS installer) and `phpinfo.php`/`info.php`. Fails when phpinfo output or an installer that offers to install comes back, or when a legacy script runs (its output, or 2xx/5xx where a random name of the same kind gets 404). An installer that says the site is already installed does not count.",
  remediation:
    'Delete the file (CiviCRM ≥ 4.6 no longer ships dompdf.php or ofc_upload_image.php: an upgrade that copied over the old tree left them), remove phpinfo pages, and remove or deny installer entry points once the site is installed.',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/security/'],
  outcomes: {
    phpinfo: { title: 'A phpinfo() page is served', severity: 'critical' },
    dompdf: { title: "dompdf's dompdf.php is reachable", severity: 'critical' },
    'ofc-upload': { title: 'OpenFlashChart ofc_upload_image.php is reachable', severity: 'critical' },
    installer: { title: 'An installer offers to install', severity: 'critical' },
  },
  probes: { exposure: exposureProbe },
  mode: 'remote',
  run({ exposure }) {
    const items = exposure.items.filter((i) => i.group === 'unsafe');
    const findings: Finding[] = [];
    for (const item of items) {
      const why = found(item);
      if (!why) continue;
      findings.push({
        outcome: item.tag as Tag,
        status: 'fail',
        message: `${item.url}: ${why}`,
        evidence: { ...evidenceOf(item), found: why },
      });
    }
    const unanswered = unansweredFinding(items, 'leftover scripts', exposure);
    if (unanswered) findings.push(unanswered);
    if (findings.length > 0) return findings;
    return [
      {
        status: 'pass',
        message: `none of ${items.length} known leftover scripts, installers or phpinfo pages is served`,
        evidence: { looked: items.map((i) => i.url) },
      },
    ];
  },
});
