/**
 * civiguard's public API (re-exports only). The IDS is also importable on its own as `civiguard/ids`, and its
 * framework adapters as `civiguard/ids/middleware/<node|express|fastify|hono>`.
 *
 * @example
 * import { buildTarget, runAudit, render } from 'civiguard';
 * const report = await runAudit(buildTarget({ url: 'https://example.org/' }));
 * process.stdout.write(await render(report, 'text'));
 */
export { buildTarget } from './audit/build-target.js';
export type { AuditOptions } from './audit/run-audit.js';
export { exitCodeFor, runAudit, selectChecks } from './audit/run-audit.js';
export { ALL_CHECKS, findCheck } from './checks/index.js';
export type { AnyCheck, Area, CheckDefinition, Finding, OutcomeSpec } from './core/check.js';
export { AREAS, defineCheck } from './core/check.js';
export { CATALOGUE } from './core/catalogue.js';
export type { AuditConfig } from './core/config.js';
export { loadAuditConfig } from './core/config.js';
export type { ErrorCode } from './core/errors.js';
export { CiviguardError } from './core/errors.js';
export type { Probe, ProbeContext, ProbeOutcome } from './core/probe.js';
export { defineProbe, FactUnavailable } from './core/probe.js';
export { redactDeep, redactDsn, redactString } from './core/redact.js';
export type { Report, Result, Summary } from './core/result.js';
export type { ProgressEvent, RunOptions } from './core/runner.js';
export { runChecks } from './core/runner.js';
export type { Severity, Status } from './core/severity.js';
export { SEVERITIES, STATUSES } from './core/severity.js';
export type { AuditPolicy, AuditTarget, CmsName, TargetInput } from './core/target.js';
export type { Format, RenderOptions } from './report/index.js';
export { FORMATS, render } from './report/index.js';
export * as ids from './ids/index.js';
export { VERSION } from './version.js';
