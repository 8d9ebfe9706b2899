import type { Command } from 'commander';
import { Option } from 'commander';
import { CiviguardError } from '../core/errors.js';

const DECISION_LEVELS = ['log', 'warn', 'block'] as const;
const MAX_INPUT_LINE = 1024 * 1024;

interface ScanFlags {
  jsonl?: boolean;
  mode?: 'string' | 'html' | 'json';
  failOn?: (typeof DECISION_LEVELS)[number];
  rules?: string;
}

interface LogsFlags {
  format?: 'text' | 'json';
  min?: (typeof DECISION_LEVELS)[number];
  top?: string;
  failOn?: (typeof DECISION_LEVELS)[number];
}

interface TestFlags {
  corpora?: string;
  format?: 'text' | 'json';
  strict?: boolean;
}

/** `civiguard ids scan|logs|test` (SPEC §6). Heavy parts are imported when a subcommand runs. */
export function registerIds(program: Command): void {
  const ids = program
    .command('ids')
    .description('the intrusion detection engine: score values, scan access logs, measure on the corpora');

  ids
    .command('scan')
    .description('score one value, or one value per line from stdin (`-` or no value)')
    .argument('[value]', 'the value to score; `-` reads stdin')
    .option('--jsonl', 'stdin lines are JSON strings; print one JSON object per line')
    .addOption(
      new Option('--mode <mode>', 'inspect as a plain field, rich text (HTML) or a JSON document')
        .choices(['string', 'html', 'json'])
        .default('string'),
    )
    .addOption(
      new Option('--fail-on <decision>', 'exit 1 if any value reaches this decision').choices([
        ...DECISION_LEVELS,
      ]),
    )
    .option('--rules <dir>', 'a directory of rule files instead of the built-in rules')
    .action(async (value: string | undefined, flags: ScanFlags) => {
      process.exitCode = await scanCommand(value, flags);
    });

  ids
    .command('logs')
    .description('attack attempts in nginx/Apache access logs (combined format; gzip allowed)')
    .argument('<files...>', 'access log files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(
      new Option('--min <decision>', 'count requests at or above this decision')
        .choices([...DECISION_LEVELS])
        .default('log'),
    )
    .option('--top <n>', 'sources and paths listed', '10')
    .addOption(
      new Option(
        '--fail-on <decision>',
        'exit 1 if an attempt at or above this decision was answered 2xx',
      ).choices([...DECISION_LEVELS]),
    )
    .action(async (files: string[], flags: LogsFlags) => {
      process.exitCode = await logsCommand(files, flags);
    });

  ids
    .command('test')
    .description('run the labelled corpora and print the detection table')
    .option(
      '--corpora <dir>',
      'the corpora directory (default: shared/corpora beside the repository, or $CIVIGUARD_CORPORA)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--strict', 'exit 1 when a goal is not met')
    .action(async (flags: TestFlags) => {
      process.exitCode = await testCommand(flags);
    });
}

async function* stdinLines(): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    buf += chunk.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      yield line;
    }
    if (buf.length > MAX_INPUT_LINE)
      throw new CiviguardError('E_TOO_LARGE', `an input line is longer than ${MAX_INPUT_LINE} characters`);
  }
  if (buf) yield buf.replace(/\r$/, '');
}

export async function scanCommand(value: string | undefined, flags: ScanFlags): Promise<number> {
  const { createIds } = await import('../ids/inspect.js');
  const { DECISIONS } = await import('../ids/types.js');
  const engine = createIds(flags.rules ? { rulesDir: flags.rules } : {});
  const mode = flags.mode ?? 'string';
  const failRank = flags.failOn ? DECISIONS.indexOf(flags.failOn) : Infinity;
  let worst = 0;
  let badInput = false;
  const out = (s: string) => process.stdout.write(s);

  const judge = (v: string) => {
    const r = engine.scoreValue(v, mode);
    const decision = engine.decide(r.impact);
    worst = Math.max(worst, DECISIONS.indexOf(decision));
    return { r, decision };
  };

  if (value !== undefined && value !== '-') {
    const { r, decision } = judge(value);
    if (flags.jsonl) out(JSON.stringify(toJson(r, decision)) + '\n');
    else {
      out(`impact ${r.impact}  decision ${decision}${r.tags.length ? `  tags ${r.tags.join(', ')}` : ''}\n`);
      for (const h of r.hits) out(`  ${String(h.impact).padStart(3)}  ${h.id.padEnd(30)} ${h.description}\n`);
    }
  } else {
    if (process.stdin.isTTY)
      throw new CiviguardError('E_USAGE', 'ids scan: give a value, or pipe values (one per line) on stdin');
    let n = 0;
    for await (const line of stdinLines()) {
      n++;
      let v = line;
      if (flags.jsonl) {
        if (!line.trim()) continue;
        try {
          const parsed: unknown = JSON.parse(line);
          if (typeof parsed !== 'string') throw new Error('not a JSON string');
          v = parsed;
        } catch (e) {
          badInput = true;
          out(JSON.stringify({ line: n, error: `not a JSON string: ${(e as Error).message}` }) + '\n');
          continue;
        }
      }
      const { r, decision } = judge(v);
      if (flags.jsonl) out(JSON.stringify(toJson(r, decision)) + '\n');
      else {
        const shown = v.length > 100 ? v.slice(0, 100) + '…' : v;
        out(
          `${String(r.impact).padStart(4)}  ${decision.padEnd(5)}  ${(r.tags.join(',') || '-').padEnd(14)}  ${JSON.stringify(shown)}${r.hits.length ? '  ' + r.hits.map((h) => h.id).join(' ') : ''}\n`,
        );
      }
    }
  }
  if (badInput) return 2;
  return worst >= failRank ? 1 : 0;
}

function toJson(
  r: { impact: number; tags: string[]; hits: { id: string; impact: number }[] },
  decision: string,
) {
  return {
    impact: r.impact,
    tags: r.tags,
    decision,
    rules: r.hits.map((h) => ({ id: h.id, impact: h.impact })),
  };
}

export async function logsCommand(files: string[], flags: LogsFlags): Promise<number> {
  const { analyseLogs, formatLogReport } = await import('../ids/log-report.js');
  const { DECISIONS } = await import('../ids/types.js');
  const top = Number(flags.top ?? 10);
  if (!Number.isInteger(top) || top < 1)
    throw new CiviguardError('E_USAGE', `--top '${flags.top}' must be a whole number ≥ 1`);
  const report = await analyseLogs(files, { min: flags.min ?? 'log', top });
  process.stdout.write(
    flags.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : formatLogReport(report),
  );
  if (flags.failOn) {
    const rank = DECISIONS.indexOf(flags.failOn);
    if (report.answered2xx.some((a) => DECISIONS.indexOf(a.decision) >= rank)) return 1;
  }
  return 0;
}

export async function testCommand(flags: TestFlags): Promise<number> {
  const { CORPORA, corporaAvailable, corporaDir, formatTable, readCorpus, runCorpus } =
    await import('../ids/corpora.js');
  const { createValueScorer } = await import('../ids/engine.js');
  const dir = flags.corpora ?? corporaDir();
  if (!corporaAvailable(dir))
    throw new CiviguardError(
      'E_USAGE',
      `ids test: no corpora in ${dir} (use --corpora DIR or CIVIGUARD_CORPORA)`,
    );
  const score = createValueScorer();
  const rows = CORPORA.map((c) => runCorpus(c, readCorpus(c.file, dir), score, 25));
  if (flags.format === 'json') {
    process.stdout.write(
      JSON.stringify(
        rows.map((r) => ({
          set: r.info.label,
          file: r.info.file,
          n: r.n,
          flagged: r.flagged,
          rate: r.rate,
          goal: r.info.goal,
          attack: r.info.attack,
          met: r.met,
          reference: r.info.reference ?? null,
        })),
        null,
        2,
      ) + '\n',
    );
  } else process.stdout.write(formatTable(rows, 25));
  return flags.strict && rows.some((r) => !r.met) ? 1 : 0;
}
