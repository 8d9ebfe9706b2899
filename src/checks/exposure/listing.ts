import { defineCheck } from '../../core/check.js';
import { exposureProbe } from '../../probes/exposure/index.js';
import { canaryProbe } from '../../probes/local/canary.js';
import { answered, count, evidenceOf, listed, listOf, unansweredFinding } from './judge.js';

export default defineCheck({
  id: 'exposure.listing',
  area: 'exposure',
  title: 'No directory listings of CiviCRM or CMS files',
  severity: 'error',
  seed: 'Directories should not be browsable',
  description:
    "Requests the CiviCRM data dirs (data root, upload, custom, ConfigAndLog, templates_c, persist/contribute, ext) and the CMS files dir of the site's layout, and recognises server-generated listings (nginx, Apache, lighttpd, IIS autoindex pages; a random-name baseline rules out catch-all pages). Fails when any of them is listed; passes when none is and at least one of them answered; skips when none of them exists at the standard paths. With --root, a configured private dir whose URL lists the canary file written into it also fails.",
  remediation:
    'Turn directory listings off: nginx `autoindex off;` (the default), Apache `Options -Indexes` for the files dir, or an empty `index.html` in each public dir (CiviCRM writes one into persist/contribute).',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#directories-should-not-be-browsable',
  ],
  probes: { exposure: exposureProbe },
  optional: { canary: canaryProbe },
  mode: 'both',
  run({ exposure }, { optional }) {
    const dirs = exposure.items.filter((i) => i.group === 'dir');
    const shown = dirs.filter(listed);
    const findings = [];
    if (shown.length > 0) {
      findings.push({
        status: 'fail' as const,
        message: `directory listing served for ${listOf(shown.map((d) => `${d.url} (${count(d.listing!.total, 'entry', 'entries')})`))}`,
        evidence: {
          listed: shown.map((d) => ({
            ...evidenceOf(d),
            names: d.listing!.entries.slice(0, 5).map((e) => e.name),
          })),
        },
      });
    }
    // With --root: the dir URL of a configured private dir lists the canary written into it.
    const byCanary = optional.canary?.ok
      ? optional.canary.value.dirs.filter((d) => d.listing && !shown.some((s) => s.url === d.listingUrl))
      : [];
    if (byCanary.length > 0) {
      findings.push({
        status: 'fail' as const,
        message: `directory listing served for ${listOf(byCanary.map((d) => `${d.listingUrl} (it names the canary file written to ${d.path})`))}`,
        evidence: { canary: byCanary.map((d) => ({ dir: d.path, url: d.listingUrl })) },
      });
    }
    const unanswered = unansweredFinding(dirs, 'directories', exposure);
    if (unanswered) findings.push(unanswered);
    if (findings.length > 0) return findings;
    const there = dirs.filter((d) => d.answer && d.answer.status !== 404 && d.answer.status !== 410);
    if (there.length === 0) {
      return [
        {
          status: 'skip',
          message: `none of the ${dirs.length} standard CiviCRM/CMS directories of ${exposure.layouts.join(', ')} exists here (all 404), so no listing was seen; dirs at other paths need --root`,
          evidence: { looked: dirs.map(evidenceOf) },
        },
      ];
    }
    return [
      {
        status: 'pass',
        message: `none of the ${dirs.length} directories requested is listed (${listOf(
          there.map((d) => `${d.url} answered ${answered(d)}`),
          2,
        )})`,
        evidence: { looked: dirs.map(evidenceOf) },
      },
    ];
  },
});
