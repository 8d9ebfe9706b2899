/**
 * Shared judgement of CiviCRM's private dirs in remote mode (exposure.uploads, .custom-files, .log,
 * .templates-c). Remote mode cannot name a file in such a dir unless the server lists it, so the
 * evidence is: a listing (and one listed file fetched), CiviCRM's own deny-all `.htaccess` (or
 * `Config.IDS.ini`) downloading, or a guessed log name. Without any of these the result is a `skip`
 * that says what was seen: only a canary file written with --root can prove the dir closed.
 *
 * With --root the canary probe (src/probes/local/canary.ts) writes a random file into the dir CiviCRM is
 * configured to use and fetches it by URL, as CiviCRM's own status page does: its verdict takes
 * precedence (pass included). Remote findings that prove exposure are kept beside it.
 */
import type { Finding } from '../../core/check.js';
import type { ProbeOutcome } from '../../core/probe.js';
import type { ExposureFacts, ProbedItem } from '../../probes/exposure/index.js';
import type { CanaryFacts } from '../../probes/local/canary.js';
import type { PrivateRole } from '../../probes/exposure/types.js';
import { civicrmLog, htaccess, idsConfig, isHtmlPage } from './content.js';
import { answered, count, evidenceOf, listed, listOf, served, unansweredFinding } from './judge.js';

export const DIR_LABEL: Record<PrivateRole, string> = {
  upload: 'the upload dir',
  custom: 'the custom files dir',
  log: 'the log dir (ConfigAndLog)',
  templates: 'the compiled templates dir (templates_c)',
};

/** Outcome keys the private-dir checks declare: a file downloads / names are listed / the dir is served. */
export type PrivateDirOutcome = 'downloadable' | 'listed' | 'dir-open';
const RANK: Record<PrivateDirOutcome, number> = { 'dir-open': 0, listed: 1, downloadable: 2 };

interface Verdict {
  outcome: PrivateDirOutcome;
  message: string;
  evidence: Record<string, unknown>;
}

const isLogName = (name: string) => /\.log(?:\.\d+)?(?:\.gz)?$/i.test(name);
const nameOf = (item: ProbedItem) => decodeURIComponent(item.path.split('/').pop() ?? '');

function judgeRoot(role: PrivateRole, items: ProbedItem[]): Verdict | null {
  const verdicts: Verdict[] = [];
  const dir = items.find((i) => i.group === 'dir');
  const sample = items.find((i) => i.group === 'listed');
  if (sample && served(sample)) {
    const isLog = isLogName(nameOf(sample)) || civicrmLog(sample.answer!.body) !== null;
    verdicts.push({
      outcome: role !== 'log' || isLog ? 'downloadable' : 'dir-open',
      message: `${sample.url} downloads (a file the listing of ${dir?.url ?? 'its dir'} names)`,
      evidence: { file: evidenceOf(sample), ...(dir ? { dir: evidenceOf(dir) } : {}) },
    });
  }
  for (const g of items.filter((i) => i.group === 'log-guess')) {
    if (served(g) && g.answer!.body.length > 0 && !isHtmlPage(g.answer!.body)) {
      const marker = civicrmLog(g.answer!.body);
      verdicts.push({
        outcome: 'downloadable',
        message: `${g.url} downloads${marker ? ` (${marker})` : ''}`,
        evidence: { file: evidenceOf(g) },
      });
    }
  }
  for (const s of items.filter((i) => i.group === 'sentinel')) {
    const marker = s.answer && served(s) ? (htaccess(s.answer.body) ?? idsConfig(s.answer.body)) : null;
    if (!marker) continue;
    verdicts.push({
      outcome: role === 'log' ? 'dir-open' : 'downloadable',
      message:
        role === 'log'
          ? `${s.url} downloads (${marker}): the dir that holds the log is served; the log itself is only safe if a rule denies *.log`
          : `${s.url} downloads (${marker}, which CiviCRM writes to deny access): every file in ${DIR_LABEL[role]} is served`,
      evidence: { file: evidenceOf(s) },
    });
  }
  if (dir && listed(dir)) {
    const files = dir.listing!.entries.filter((e) => !e.dir).map((e) => e.name);
    const logs = files.filter(isLogName);
    const named =
      role === 'log' ? logs : role === 'templates' ? dir.listing!.entries.map((e) => e.name) : files;
    const fetched = sample ? `; fetching ${sample.url} answered ${answered(sample)}` : '';
    if (named.length > 0 || role === 'templates') {
      verdicts.push({
        outcome: 'listed',
        message: `the listing of ${dir.url} names ${role === 'log' ? count(named.length, 'log file', 'log files') : count(named.length, 'entry', 'entries')}${named.length ? ` (${listOf(named)})` : ''}${fetched}`,
        evidence: { dir: evidenceOf(dir), names: named.slice(0, 5) },
      });
    } else {
      verdicts.push({
        outcome: 'dir-open',
        message: `${dir.url} is served as a listing (${count(dir.listing!.total, 'entry', 'entries')}${role === 'log' ? ', no log among them' : ''}): files put there are reachable`,
        evidence: { dir: evidenceOf(dir) },
      });
    }
  }
  if (verdicts.length === 0) return null;
  return verdicts.reduce((best, v) => (RANK[v.outcome] > RANK[best.outcome] ? v : best));
}

const CANARY_KIND = { upload: 'upload', custom: 'custom', log: 'log', templates: 'compile' } as const;

/**
 * The canary's verdict for a role (with --root), or null when it did not run for that dir (no --root,
 * dir unknown or missing): then the remote evidence decides.
 */
export function judgeCanary(
  role: PrivateRole,
  canary: ProbeOutcome<CanaryFacts> | undefined,
): Finding[] | null {
  if (!canary?.ok) return null;
  const d = canary.value.dirs.find((x) => x.kind === CANARY_KIND[role]);
  const logs = role === 'log' ? canary.value.logs : [];
  const evidence = {
    canary: d ? { dir: d.path, file: d.file, attempts: d.attempts, deleted: d.deleted } : null,
  };
  const exposedLog = logs.find((l) => l.status === 'reachable');
  if (exposedLog) {
    return [
      {
        outcome: 'downloadable',
        status: 'fail',
        message: `the log ${exposedLog.path} is ${exposedLog.reason}`,
        evidence: { log: { path: exposedLog.path, attempts: exposedLog.attempts }, ...evidence },
      },
    ];
  }
  if (!d || d.status === 'skipped') return null;
  if (d.status === 'reachable')
    return [
      {
        outcome: 'downloadable',
        status: 'fail',
        message: `a canary file written to ${d.path} was ${d.reason}`,
        evidence,
      },
    ];
  if (d.listing)
    return [
      {
        outcome: 'listed',
        status: 'fail',
        message: `${d.listingUrl} lists the canary file written to ${d.path}`,
        evidence,
      },
    ];
  const logErrors = logs.filter((l) => l.status === 'error');
  if (d.status === 'error' || logErrors.length)
    return [
      {
        status: 'error',
        message: [
          d.status === 'error' ? `canary in ${d.path}: ${d.reason}` : '',
          ...logErrors.map((l) => `${l.path}: ${l.reason}`),
        ]
          .filter(Boolean)
          .join('; '),
        evidence,
      },
    ];
  const quiet = logs.filter((l) => l.status === 'not-reachable').length;
  const logsNote = quiet ? `; ${count(quiet, 'log file', 'log files')} not served either` : '';
  return [
    { status: 'pass', message: `a canary file written to ${d.path} is ${d.reason}${logsNote}`, evidence },
  ];
}

/**
 * Judges one private dir role over every data root the probe looked at. A canary verdict (--root) takes
 * precedence: it is the answer, pass included, except that a remote proof of exposure is never dropped.
 */
export function judgePrivateDir(
  role: PrivateRole,
  facts: ExposureFacts,
  canary?: ProbeOutcome<CanaryFacts>,
): Finding[] {
  const mine = facts.items.filter((i) => i.role === role);
  const roots = [...new Set(mine.map((i) => i.root ?? ''))];
  const findings: Finding[] = [];
  for (const root of roots) {
    const v = judgeRoot(
      role,
      mine.filter((i) => (i.root ?? '') === root),
    );
    if (v) findings.push({ outcome: v.outcome, status: 'fail', message: v.message, evidence: v.evidence });
  }
  const exact = judgeCanary(role, canary);
  if (exact) {
    // The canary looked at the configured dir: its fail is the answer. Its pass or error does not undo a
    // remote proof (a stale copy of the dir at a standard path is exposed all the same).
    if (exact[0]!.status === 'fail' || findings.length === 0) return exact;
    return exact[0]!.status === 'pass' ? findings : [...exact, ...findings];
  }
  const unanswered = unansweredFinding(mine, DIR_LABEL[role], facts);
  if (unanswered) findings.push(unanswered);
  if (findings.length > 0) return findings;

  const dirs = mine.filter((i) => i.group === 'dir');
  if (dirs.length === 0) {
    return [
      {
        status: 'skip',
        message: `no CiviCRM data dir was found at the standard paths for ${facts.layouts.join(', ')}, so ${DIR_LABEL[role]} was not looked at; the exact check needs --root (canary)`,
        evidence: { layouts: facts.layouts },
      },
    ];
  }
  const seen = dirs.map((d) => `${d.url} answered ${answered(d)}`);
  return [
    {
      status: 'skip',
      message: `remote mode cannot name a file in ${DIR_LABEL[role]} without a listing: ${listOf(seen, 2)}, and no file CiviCRM writes there downloaded; the exact check needs --root (canary)`,
      evidence: { looked: mine.map(evidenceOf) },
    },
  ];
}
