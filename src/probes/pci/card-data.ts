import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeError } from '../../core/errors.js';
import type { ProbeContext } from '../../core/probe.js';
import type { SiteLayout } from '../local/layout.js';
import { layoutProbe } from '../local/layout.js';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import { civicrmDbProbe } from './db.js';
import type { DbScanReport } from './scan-db.js';
import { scanDatabase } from './scan-db.js';
import type { FileScanReport, ScanRoot } from './scan-files.js';
import { scanFiles } from './scan-files.js';

/** One part of the card-data fact: what was scanned, or why it could not be. */
export type Part<T> = { ok: true; report: T } | { ok: false; status: 'skip' | 'error'; reason: string };

export interface CardDataFacts {
  files: Part<FileScanReport>;
  db: Part<DbScanReport>;
}

/**
 * Where card data could sit on the server: the whole --root as a site tree (code skipped, data, log and
 * dump files read), plus CiviCRM's upload, custom and log dirs and the CMS files/private dirs from the
 * site layout, read in full, wherever they are (Debian's WordPress keeps them outside the root).
 */
export function scanRoots(root: string, layout: SiteLayout | null): ScanRoot[] {
  const roots: ScanRoot[] = [{ path: resolve(root), kind: 'tree' }];
  if (!layout) return roots;
  const data = [
    ...layout.dirs.filter((d) => ['upload', 'custom', 'log'].includes(d.kind) && d.exists).map((d) => d.path),
    layout.filesRoot,
    layout.privateRoot,
  ];
  for (const p of data) {
    if (!p || roots.some((r) => r.path === resolve(p))) continue;
    try {
      if (statSync(p).isDirectory()) roots.push({ path: resolve(p), kind: 'data' });
    } catch {
      // Missing dirs are the layout checks' business.
    }
  }
  return roots;
}

async function scanFilesPart(ctx: ProbeContext): Promise<Part<FileScanReport>> {
  const root = ctx.target.root;
  if (!root)
    return { ok: false, status: 'skip', reason: 'no --root given: files, logs and dumps not scanned' };
  try {
    if (!statSync(root).isDirectory())
      return { ok: false, status: 'error', reason: `--root ${root} is not a directory` };
  } catch (e) {
    return { ok: false, status: 'error', reason: `--root ${root}: ${describeError(e)}` };
  }
  const layout = await ctx.outcome(layoutProbe);
  const roots = scanRoots(root, layout.ok ? layout.value : null);
  ctx.note(`scanning ${roots.map((r) => r.path).join(', ')} for card numbers`);
  return { ok: true, report: await scanFiles({ roots, signal: ctx.signal }) };
}

async function scanDbPart(ctx: ProbeContext): Promise<Part<DbScanReport>> {
  const conn = await ctx.outcome(civicrmDbProbe);
  if (!conn.ok) return { ok: false, status: conn.status, reason: conn.reason };
  try {
    return { ok: true, report: await scanDatabase(conn.value, { signal: ctx.signal }) };
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return { ok: false, status: 'error', reason: `database scan: ${describeError(e)}` };
  }
}

export const cardDataProbe = defineProbe<CardDataFacts>({
  name: 'card-number scan',
  // A big site: gigabytes of logs and dumps. The scan caps bytes itself; this is the hang guard.
  timeoutMs: (t) => Math.max(t.timeoutMs, 600_000),
  async run(ctx) {
    const [files, db] = await Promise.all([scanFilesPart(ctx), scanDbPart(ctx)]);
    if (!files.ok && !db.ok && files.status === 'skip' && db.status === 'skip') {
      throw new FactUnavailable('skip', 'no --root and no --db given: nothing to scan for card numbers');
    }
    return { files, db };
  },
});
