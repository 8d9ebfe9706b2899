import { mkdirSync } from 'node:fs';
import { writeAtomic } from '../core/write-atomic.js';
import { join, relative } from 'node:path';
import { buildTarget } from '../audit/build-target.js';
import { runAudit } from '../audit/run-audit.js';
import { ALL_CHECKS } from '../checks/index.js';
import type { AnyCheck, Area } from '../core/check.js';
import { AREAS } from '../core/check.js';
import { CiviguardError, describeError } from '../core/errors.js';
import type { Report } from '../core/result.js';
import type { ProgressEvent } from '../core/runner.js';
import { readUserDb } from '../probes/local/web-user.js';
import { render } from '../report/index.js';
import type { PlantedVerdict } from './planted.js';
import { judgePlanted } from './planted.js';
import { startDemoSite } from './site.js';
import { sendDemoTraffic } from './traffic.js';
import type { DemoTree } from './tree.js';
import { createDemoTree } from './tree.js';

/**
 * Areas the demo does not audit, and why: they need servers the demo does not run. (With --root,
 * ssh.password-auth would read this machine's own sshd configuration, which is not the demo site's.)
 * Checks of the other areas that need a database or a backup repository skip, with that reason.
 */
export const NOT_AUDITED: Partial<Record<Area, string>> = {
  ssh: 'needs an SSH server; with --root its check would judge the sshd of this machine, not the demo site',
  ftp: 'needs an FTP server',
};

/** The areas the demo audits: remote ones against the demo site, local ones on its tree (--root). */
export const DEMO_AREAS: readonly Area[] = AREAS.filter((a) => !(a in NOT_AUDITED));

export interface DemoOptions {
  /** Where report.html and report.json go (created if missing). */
  outDir: string;
  signal?: AbortSignal;
  /** Colours in the text report. */
  color?: boolean;
  /** Text report and summary (stdout). */
  out?: (s: string) => void;
  /** Progress notes (stderr). */
  note?: (s: string) => void;
  onProgress?: (e: ProgressEvent) => void;
  /**
   * Probe time budget (ms), as `--timeout`; default the audit's own (20 s). Nothing in the demo waits
   * for it, but the demo site and the audit share one event loop: on a busy machine a tight budget
   * turned slow TLS handshakes into errors (seen at 5 s: "no TLS handshake within 1.3 s").
   */
  timeoutMs?: number;
  /** Test hook: the demo site holds every response of the audit this long (to interrupt it half-way). */
  auditResponseDelayMs?: number;
  /** Where the temp dir with the demo tree goes (default: the system's temp dir). */
  tmpDir?: string;
  /** Checks to run instead of the registered ones of DEMO_AREAS (tests). */
  checks?: readonly AnyCheck[];
}

export interface DemoOutcome {
  report: Report;
  verdicts: PlantedVerdict[];
  files: { html: string; json: string };
  /** The temp dir that held the demo tree and its access log; removed by the time runDemo returns. */
  tempDir: string;
  /** 0: every registered planted check behaved as planted; 1: one did not. */
  exitCode: 0 | 1;
}

/** The planted-problem table printed after the report. */
export function describeVerdicts(verdicts: readonly PlantedVerdict[]): string {
  const checked = verdicts.filter((v) => v.registered);
  const planted = checked.filter((v) => v.expect === 'fail');
  const right = checked.filter((v) => v.expect !== 'fail');
  const lines = [
    '',
    `Demo self-check: ${planted.filter((v) => v.ok).length} of ${planted.length} planted problems detected, ` +
      `${right.filter((v) => v.ok).length} of ${right.length} things done right not flagged` +
      (checked.length < verdicts.length
        ? ` (${verdicts.length - checked.length} checks not implemented yet)`
        : '') +
      '.',
  ];
  for (const v of verdicts) {
    const mark = !v.registered ? '·' : v.ok ? '✓' : '✗';
    const state = !v.registered ? `not implemented yet (${v.what})` : (v.problem ?? `${v.got}: ${v.what}`);
    lines.push(`  ${mark} ${v.check.padEnd(24)} ${state}`);
  }
  return lines.join('\n') + '\n';
}

/** `--web-user`: the demo site runs as whoever runs the demo, so that is "the user PHP runs as". */
export function demoWebUser(): string | null {
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  return readUserDb().byUid.get(uid) ?? String(uid);
}

const interrupted = () =>
  new CiviguardError('E_ABORTED', 'demo interrupted; the demo site is stopped and its files removed', {
    exitCode: 130,
  });

/**
 * Writes the demo tree into a temp dir, starts the demo site on it, sends it some traffic (attacks
 * included) for its access log, audits it with the real runner (remote: the demo CA trusted,
 * `--resolve` pins and `--http-url` for its ephemeral ports; local: `--root` on the tree,
 * `--access-log`, `--web-user`), writes report.html and report.json, compares the results with the
 * planted list, stops the site and removes the temp dir, whatever happens (errors and cancellation
 * included).
 */
export async function runDemo(opts: DemoOptions): Promise<DemoOutcome> {
  const out = opts.out ?? (() => undefined);
  const note = opts.note ?? (() => undefined);
  const checks = opts.checks ?? ALL_CHECKS.filter((c) => DEMO_AREAS.includes(c.area));
  if (checks.length === 0) throw new CiviguardError('E_INTERNAL', 'demo: no checks are registered');
  // Fail before the audit, not after it, when the reports cannot be written.
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch (e) {
    throw new CiviguardError('E_IO', `demo: cannot create ${opts.outDir}: ${describeError(e)}`);
  }
  const tree: DemoTree = createDemoTree(opts.tmpDir);
  try {
    note(`demo site files (removed at the end): ${tree.dir}\n`);
    const site = await startDemoSite({ docroot: tree.webRoot, accessLog: tree.accessLog });
    try {
      note(
        `demo site (a deliberately misconfigured CiviCRM on Drupal) listening on 127.0.0.1: ` +
          `${site.url} and ${site.httpUrl}\n`,
      );
      try {
        await sendDemoTraffic(site, opts.signal);
      } catch (e) {
        if (opts.signal?.aborted) throw interrupted();
        throw e;
      }
      // The log stands for the traffic before today's audit; the audit's own requests stay out of the
      // file it reads while it runs.
      site.stopAccessLog();
      if (opts.auditResponseDelayMs) site.setResponseDelay(opts.auditResponseDelayMs);
      const webUser = demoWebUser();
      note(
        `auditing with --root ${tree.root} --access-log ${tree.accessLog}` +
          (webUser ? ` --web-user ${webUser} (the demo site runs as you)` : '') +
          '\n' +
          `not audited: ${Object.entries(NOT_AUDITED)
            .map(([a, why]) => `${a} (${why})`)
            .join(', ')}\n`,
      );
      const target = {
        ...buildTarget({
          url: site.url,
          httpUrl: site.httpUrl,
          resolve: site.resolve,
          root: tree.root,
          accessLogs: [tree.accessLog],
          webUser,
          timeoutMs: opts.timeoutMs,
        }),
        ca: [site.caPem],
      };
      let report: Report;
      try {
        report = await runAudit(target, {
          checks,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        });
      } catch (e) {
        if (opts.signal?.aborted) throw interrupted();
        throw e;
      }
      if (opts.signal?.aborted) throw interrupted();
      out(await render(report, 'text', { color: opts.color ?? false }));
      const verdicts = judgePlanted(report.results, checks);
      out(describeVerdicts(verdicts));
      const files = { html: join(opts.outDir, 'report.html'), json: join(opts.outDir, 'report.json') };
      writeAtomic(files.html, await render(report, 'html'));
      writeAtomic(files.json, await render(report, 'json'));
      const shown = (f: string) => relative(process.cwd(), f) || f;
      out(`\nReports written: ${shown(files.html)} (open it in a browser) and ${shown(files.json)}\n`);
      out(
        'Audit a real site: civiguard audit https://example.org/ from anywhere; on the server add ' +
          '--root /var/www/example --access-log /var/log/nginx/access.log for the local checks\n',
      );
      return {
        report,
        verdicts,
        files,
        tempDir: tree.dir,
        exitCode: verdicts.every((v) => v.ok) ? 0 : 1,
      };
    } finally {
      await site.close();
    }
  } finally {
    tree.remove();
  }
}
