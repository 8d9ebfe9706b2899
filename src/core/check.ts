import type { Probe, ProbeOutcome } from './probe.js';
import type { Severity, Status } from './severity.js';
import type { AuditTarget } from './target.js';

export const AREAS = [
  'tls',
  'http',
  'exposure',
  'fs',
  'config',
  'ssh',
  'ftp',
  'pci',
  'backup',
  'jurisdiction',
  'access',
  'ids',
] as const;
export type Area = (typeof AREAS)[number];

/** Wording and severity of one specific result id under a check (`tls.protocols.tls1_0` → key `tls1_0`). */
export interface OutcomeSpec {
  title: string;
  severity: Severity;
  remediation?: string;
}

/** What a check's `run` returns: the judgement, without the wording kept in metadata. */
export interface Finding {
  /** Key into `outcomes` (becomes result id `<check>.<outcome>`); omit for the check's own result. */
  outcome?: string;
  status: Status;
  /** Overrides the outcome's / check's default severity (e.g. expiry: warning vs error vs critical). */
  severity?: Severity;
  message: string;
  evidence?: Record<string, unknown>;
}

type ProbeMap = Record<string, Probe<unknown>>;
export type FactsOf<P extends ProbeMap> = { [K in keyof P]: P[K] extends Probe<infer T> ? T : never };
export type OutcomesOf<P extends ProbeMap> = {
  [K in keyof P]: P[K] extends Probe<infer T> ? ProbeOutcome<T> : never;
};

export interface CheckContext {
  readonly target: AuditTarget;
}

export interface CheckDefinition<P extends ProbeMap = ProbeMap, O extends ProbeMap = ProbeMap> {
  /** Catalogue id (SPEC §3), `area.kebab-name`. */
  id: string;
  area: Area;
  title: string;
  /** Default severity of a failure. */
  severity: Severity;
  /** The guide section it comes from (SPEC §3 "seed"), or '' when none. */
  seed: string;
  /** One paragraph for the README's check reference: what is looked at and what fails it. */
  description: string;
  remediation: string;
  references?: string[];
  outcomes?: Record<string, OutcomeSpec>;
  /** Facts the check needs; when one is unavailable the check reports that probe's skip/error. */
  probes: P;
  /** Facts the check can use when present; it receives their outcomes. */
  optional?: O;
  /** `local` checks need --root (or other server access); `remote` ones only the URL. */
  mode: 'remote' | 'local' | 'both';
  /** Pure judgement: no I/O. */
  run(facts: FactsOf<P>, ctx: CheckContext & { optional: OutcomesOf<O> }): Finding[];
}

export type AnyCheck = CheckDefinition<ProbeMap, ProbeMap>;

/** Identity helper that keeps the probe map's types for `run`. */
export function defineCheck<P extends ProbeMap, O extends ProbeMap = Record<never, never>>(
  def: CheckDefinition<P, O>,
): AnyCheck {
  return def as unknown as AnyCheck;
}
