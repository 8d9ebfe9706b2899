import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildTarget } from '../audit/build-target.js';
import { runAudit } from '../audit/run-audit.js';
import { ALL_CHECKS } from '../checks/index.js';
import type { AnyCheck, Area } from '../core/check.js';
import { CiviguardError, describeError } from '../core/errors.js';
import type { Report } from '../core/result.js';
import type { ProgressEvent } from '../core/runner.js';
import { render } from '../report/index.js';
import type { PlantedVerdict } from './planted.js';
import { judgePlanted } from './planted.js';
import type { DemoSiteOptions } from './site.js';
import { startDemoSite } from './site.js';

/** The areas the demo site exercises; the others need server access (--root, --ssh, --db) it does not give. */
export const DEMO_AREAS: readonly Area[] = ['tls', 'http', 'exposure', 'access'];

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
  /** Probe time budget (ms); loopback answers fast. */
  timeoutMs?: number;
  site?: DemoSiteOptions;
  /** Checks to run instead of the registered ones of DEMO_AREAS (tests). */
  checks?: readonly AnyCheck[];
}

export interface DemoOutcome {
  report: Report;
  verdicts: PlantedVerdict[];
  files: { html: string; json: string };
  /** 0: every registered planted check behaved as planted; 1: one did not. */
  exitCode: 0 | 1;
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    throw new CiviguardError('E_IO', `cannot write ${file}: ${describeError(e)}`);
  }
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

/**
 * Starts the demo site, audits it with the real runner (the demo CA trusted, `--resolve` pins and
 * `--http-url` for its ephemeral ports), writes report.html and report.json, compares the results with
 * the planted list and stops the site, whatever happens (errors and cancellation included).
 */
export async function runDemo(opts: DemoOptions): Promise<DemoOutcome> {
  const out = opts.out ?? (() => undefined);
  const note = opts.note ?? (() => undefined);
  const checks = opts.checks ?? ALL_CHECKS.filter((c) => DEMO_AREAS.includes(c.area) && c.mode !== 'local');
  if (checks.length === 0) throw new CiviguardError('E_INTERNAL', 'demo: no checks are registered');
  // Fail before the audit, not after it, when the reports cannot be written.
  try {
    mkdirSync(opts.outDir, { recursive: true });
  } catch (e) {
    throw new CiviguardError('E_IO', `demo: cannot create ${opts.outDir}: ${describeError(e)}`);
  }
  const site = await startDemoSite(opts.site);
  try {
    note(
      `demo site (a deliberately misconfigured CiviCRM on Drupal) listening on 127.0.0.1: ` +
        `${site.url} and ${site.httpUrl}\n`,
    );
    const target = {
      ...buildTarget({
        url: site.url,
        httpUrl: site.httpUrl,
        resolve: site.resolve,
        timeoutMs: opts.timeoutMs ?? 5_000,
      }),
      ca: [site.caPem],
    };
    const report = await runAudit(target, {
      checks,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    if (opts.signal?.aborted) {
      throw new CiviguardError('E_ABORTED', 'demo interrupted; the demo site is stopped', { exitCode: 130 });
    }
    out(await render(report, 'text', { color: opts.color ?? false }));
    const verdicts = judgePlanted(report.results, checks);
    out(describeVerdicts(verdicts));
    const files = { html: join(opts.outDir, 'report.html'), json: join(opts.outDir, 'report.json') };
    writeAtomic(files.html, await render(report, 'html'));
    writeAtomic(files.json, await render(report, 'json'));
    const shown = (f: string) => relative(process.cwd(), f) || f;
    out(`\nReports written: ${shown(files.html)} (open it in a browser) and ${shown(files.json)}\n`);
    out('Audit your own site: civiguard audit https://example.org/   (add --root DIR on the server)\n');
    return { report, verdicts, files, exitCode: verdicts.every((v) => v.ok) ? 0 : 1 };
  } finally {
    await site.close();
  }
}
