import type { Command } from 'commander';
import { resolve } from 'node:path';
import { CiviguardError } from '../core/errors.js';
import { useColor } from './errors.js';
import { createProgress } from './progress.js';

/** Test hook: hold every demo-site response of the audit this many ms (so an interrupt lands mid-audit). */
const SLOW_ENV = 'CIVIGUARD_DEMO_SLOW_MS';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'start a built-in, deliberately misconfigured sample CiviCRM site on 127.0.0.1, audit it and ' +
        'write civiguard-demo/report.html and report.json',
    )
    .option('--out-dir <dir>', 'where the reports go', 'civiguard-demo')
    .action(async (flags: { outDir: string }) => {
      process.exitCode = await demoCommand(flags.outDir);
    });
}

export async function demoCommand(outDir: string): Promise<number> {
  const slow = Number(process.env[SLOW_ENV] ?? 0);
  const { runDemo } = await import('../demo/run-demo.js');
  const controller = new AbortController();
  const onSignal = () => {
    // A second Ctrl-C while cleaning up: stop at once.
    process.once('SIGINT', () => process.exit(130));
    process.stderr.write('\ninterrupted: stopping the demo site and removing its files…\n');
    controller.abort(new CiviguardError('E_ABORTED', 'interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgress();
  try {
    const outcome = await runDemo({
      outDir: resolve(outDir),
      signal: controller.signal,
      color: useColor(process.stdout),
      out: (s) => process.stdout.write(s),
      note: (s) => process.stderr.write(s),
      onProgress: progress.onProgress,
      ...(Number.isFinite(slow) && slow > 0 ? { auditResponseDelayMs: slow } : {}),
    }).finally(() => progress.done());
    if (outcome.exitCode !== 0) {
      const missed = outcome.verdicts.filter((v) => !v.ok).map((v) => `${v.check} ${v.problem}`);
      process.stderr.write(
        `civiguard demo: the audit did not judge the demo site as planted (a regression):\n  ${missed.join('\n  ')}\n`,
      );
    }
    return outcome.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Interrupted: the site is stopped and nothing is left to write. If a probe left a timer behind,
    // do not make the user wait for it (unref'd: it fires only if something else still holds the loop).
    if (controller.signal.aborted) setTimeout(() => process.exit(130), 1_000).unref();
  }
}
