/**
 * Retention (`forget`): which snapshots a keep-policy keeps, restic's semantics. Snapshots are taken
 * newest first; for each rule with n > 0, a snapshot is kept when it opens a new period (hour, day,
 * ISO week, month, year, in UTC) and fewer than n periods have been kept so far. `last` keeps the n
 * newest. A snapshot kept by any rule stays. Pure: the catalogue's times in, a decision out.
 */
import { CiviguardError } from '../core/errors.js';

export const RULES = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type Rule = (typeof RULES)[number];
export type RetentionPolicy = Partial<Record<Rule, number>>;

function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export function bucket(rule: Rule, time: string): string {
  const iso = new Date(time).toISOString();
  switch (rule) {
    case 'last':
      return time;
    case 'hourly':
      return iso.slice(0, 13);
    case 'daily':
      return iso.slice(0, 10);
    case 'weekly':
      return isoWeek(new Date(time));
    case 'monthly':
      return iso.slice(0, 7);
    case 'yearly':
      return iso.slice(0, 4);
  }
}

export interface Decision {
  keep: { id: string; time: string; reasons: string[] }[];
  remove: { id: string; time: string }[];
}

export function applyRetention(
  snaps: readonly { id: string; time: string }[],
  policy: RetentionPolicy,
): Decision {
  const rules = RULES.filter((r) => (policy[r] ?? 0) > 0);
  if (!rules.length) throw new CiviguardError('E_USAGE', 'forget needs at least one --keep-* rule above 0');
  const sorted = [...snaps].sort((a, b) => b.time.localeCompare(a.time) || b.id.localeCompare(a.id));
  const state = new Map<Rule, { last: string | null; count: number }>(
    rules.map((r) => [r, { last: null, count: 0 }]),
  );
  const decision: Decision = { keep: [], remove: [] };
  for (const s of sorted) {
    const reasons: string[] = [];
    for (const r of rules) {
      const st = state.get(r)!;
      const b = bucket(r, s.time);
      if (st.count < policy[r]! && b !== st.last) {
        st.last = b;
        st.count++;
        reasons.push(r === 'last' ? `last ${st.count}` : `${r} ${b}`);
      }
    }
    if (reasons.length) decision.keep.push({ id: s.id, time: s.time, reasons });
    else decision.remove.push({ id: s.id, time: s.time });
  }
  return decision;
}

export function parsePolicy(flags: Record<string, unknown>): RetentionPolicy {
  const p: RetentionPolicy = {};
  for (const r of RULES) {
    const key = `keep${r[0]!.toUpperCase()}${r.slice(1)}`;
    const v = flags[key];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new CiviguardError('E_USAGE', `--keep-${r} '${String(v)}' must be a whole number ≥ 0`);
    p[r] = n;
  }
  return p;
}
