/**
 * The labelled corpora in `shared/corpora` (beside the repository; `$CIVIGUARD_CORPORA` overrides) and the
 * detection table `civiguard ids test` and the benchmark print: per set, the share of values flagged at the
 * `log` threshold, next to the reference figures from the corpora's README and the goal of issue #4.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CiviguardError } from '../core/errors.js';
import type { ValueScorer } from './engine.js';

export interface CorpusInfo {
  file: string;
  label: string;
  attack: boolean;
  /** Inspected in HTML mode (rich-text input). */
  html: boolean;
  /** Goal: minimum share flagged (attacks) or maximum share flagged (benign), in percent. */
  goal: number;
  /** Reference figures from the corpora README: PHPIDS impact>0, PHPIDS ≥25, libinjection, CRS PL1, CRS PL2. */
  reference?: [number, number, number, number, number];
}

export const CORPORA: CorpusInfo[] = [
  {
    file: 'attack-httpparams-sqli.json',
    label: 'httpparams sqli',
    attack: true,
    html: false,
    goal: 99.5,
    reference: [98.8, 62.5, 96.8, 99.5, 99.7],
  },
  {
    file: 'attack-httpparams-xss.json',
    label: 'httpparams xss',
    attack: true,
    html: false,
    goal: 99.5,
    reference: [99.6, 79.3, 79.1, 94.4, 97.4],
  },
  {
    file: 'attack-httpparams-cmdi.json',
    label: 'httpparams cmdi',
    attack: true,
    html: false,
    goal: 97,
    reference: [44.9, 2.2, 2.2, 50.6, 60.7],
  },
  {
    file: 'attack-httpparams-path-traversal.json',
    label: 'httpparams traversal',
    attack: true,
    html: false,
    goal: 97,
    reference: [58.3, 0, 0, 56.6, 59.3],
  },
  {
    file: 'attack-libinjection-sqli.json',
    label: 'libinjection sqli',
    attack: true,
    html: false,
    goal: 99.5,
    reference: [99.1, 65.0, 99.9, 100, 100],
  },
  {
    file: 'attack-libinjection-xss.json',
    label: 'libinjection xss',
    attack: true,
    html: false,
    goal: 99.5,
    reference: [99.9, 83.4, 99.7, 99.7, 100],
  },
  {
    file: 'attack-payloadbox-xss.json',
    label: 'payloadbox xss',
    attack: true,
    html: false,
    goal: 99.5,
    reference: [99.6, 95.1, 94.0, 99.5, 99.6],
  },
  { file: 'attack-patt-cmdi.json', label: 'PayloadsAllTheThings cmdi', attack: true, html: false, goal: 97 },
  {
    file: 'attack-patt-traversal.json',
    label: 'PayloadsAllTheThings traversal',
    attack: true,
    html: false,
    goal: 97,
  },
  {
    file: 'benign-httpparams-norm.json',
    label: 'benign httpparams',
    attack: false,
    html: false,
    goal: 0.05,
    reference: [0.0, 0, 0, 0.0, 0.9],
  },
  {
    file: 'benign-faker-form-values.json',
    label: 'benign faker',
    attack: false,
    html: false,
    goal: 0.05,
    reference: [0.1, 0, 0, 0.8, 4.3],
  },
  {
    file: 'benign-commonmark-html.json',
    label: 'benign commonmark HTML (HTML mode)',
    attack: false,
    html: true,
    goal: 1,
    reference: [37.9, 3.7, 0.5, 9.6, 99.6],
  },
  {
    file: 'benign-blns-non-injection.json',
    label: 'benign BLNS',
    attack: false,
    html: false,
    goal: 0.5,
    reference: [10.4, 0, 0, 1.9, 10.0],
  },
  {
    file: 'benign-libinjection-false_positives.json',
    label: 'benign libinjection false positives',
    attack: false,
    html: false,
    goal: 2,
    reference: [35.5, 1.7, 5.0, 8.9, 33.6],
  },
];

/** `shared/corpora` beside the repository, or $CIVIGUARD_CORPORA. */
export function corporaDir(): string {
  const env = process.env.CIVIGUARD_CORPORA;
  if (env) return env;
  // src/ids/corpora.ts or dist/ids/corpora.js → <repo>/../shared/corpora
  return fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));
}

/** Reads one corpus file: a JSON array of strings (capped at 64 MiB). */
export function readCorpus(file: string, dir = corporaDir()): string[] {
  const path = join(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CiviguardError('E_IO', `cannot read corpus ${path}: ${(e as Error).message}`);
  }
  if (text.length > 64 * 1024 * 1024)
    throw new CiviguardError('E_TOO_LARGE', `corpus ${path} is over 64 MiB`);
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data) || data.some((v) => typeof v !== 'string')) {
    throw new CiviguardError('E_PARSE', `corpus ${path} is not a JSON array of strings`);
  }
  return data as string[];
}

export function corporaAvailable(dir = corporaDir()): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json'));
}

/** A deterministic sample of at most `max` values (every k-th value, so the sample spans the file). */
export function sample<T>(values: readonly T[], max: number): T[] {
  if (values.length <= max) return [...values];
  const out: T[] = [];
  const step = values.length / max;
  for (let i = 0; i < max; i++) out.push(values[Math.floor(i * step)]!);
  return out;
}

export interface CorpusRow {
  info: CorpusInfo;
  n: number;
  flagged: number;
  /** Percent flagged at the threshold. */
  rate: number;
  met: boolean;
  /** Values on the wrong side (missed attacks or flagged benign values), first few. */
  wrong: string[];
}

export function runCorpus(
  info: CorpusInfo,
  values: readonly string[],
  scorer: ValueScorer,
  threshold: number,
): CorpusRow {
  let flagged = 0;
  const wrong: string[] = [];
  for (const v of values) {
    const r = scorer(v, info.html ? 'html' : 'string');
    const hit = r.impact >= threshold;
    if (hit) flagged++;
    if (hit !== info.attack && wrong.length < 50) wrong.push(v);
  }
  const rate = values.length ? (100 * flagged) / values.length : 0;
  const met = info.attack ? rate >= info.goal : rate <= info.goal;
  return { info, n: values.length, flagged, rate, met, wrong };
}

function pct(x: number): string {
  return x >= 99.95 && x < 100 ? x.toFixed(2) : x < 0.1 && x > 0 ? x.toFixed(3) : x.toFixed(1);
}

/** The detection table as text. */
export function formatTable(rows: readonly CorpusRow[], threshold: number): string {
  const head = [
    'set',
    'n',
    `ours ≥${threshold}`,
    'goal',
    'met',
    'PHPIDS>0',
    'PHPIDS≥25',
    'libinj.',
    'CRS PL1',
    'CRS PL2',
  ];
  const body = rows.map((r) => {
    const ref = r.info.reference;
    return [
      r.info.label,
      String(r.n),
      pct(r.rate),
      (r.info.attack ? '≥ ' : '≤ ') + r.info.goal,
      r.met ? 'yes' : 'NO',
      ...(ref ? ref.map((x) => String(x)) : ['–', '–', '–', '–', '–']),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n') + '\n';
}
