import { createHash } from 'node:crypto';
import { ALL_CHECKS } from '../checks/index.js';
import type { AnyCheck } from '../core/check.js';
import { redactDeep } from '../core/redact.js';
import type { Report, Result } from '../core/result.js';
import type { Severity } from '../core/severity.js';

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** critical/error → error, warning → warning, notice/info → note. */
export function sarifLevel(severity: Severity): SarifLevel {
  switch (severity) {
    case 'critical':
    case 'error':
      return 'error';
    case 'warning':
      return 'warning';
    case 'notice':
    case 'info':
      return 'note';
  }
}

/** GitHub code scanning's `security-severity` (a CVSS-like 0–10 score) per severity. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  error: '8.0',
  warning: '5.5',
  notice: '3.0',
  info: '1.0',
};

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; 'security-severity': string; precision: string };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: Record<string, unknown> & { rules: SarifRule[] } };
    invocations: Record<string, unknown>[];
    results: Record<string, unknown>[];
    properties: Record<string, unknown>;
  }[];
}

/** `http.hsts` → `HttpHsts`: SARIF wants a readable rule name distinct from the id. */
function ruleName(id: string): string {
  return id
    .split(/[.-]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function ruleFor(
  check: Pick<AnyCheck, 'id' | 'title' | 'description' | 'remediation' | 'severity' | 'references'>,
): SarifRule {
  const rule: SarifRule = {
    id: check.id,
    name: ruleName(check.id),
    shortDescription: { text: check.title },
    fullDescription: { text: check.description || check.title },
    help: {
      text: check.remediation || check.title,
      markdown: [check.remediation || check.title, ...(check.references ?? []).map((r) => `- <${r}>`)].join(
        '\n\n',
      ),
    },
    defaultConfiguration: { level: sarifLevel(check.severity) },
    properties: {
      tags: ['security', check.id.split('.')[0]!],
      'security-severity': SECURITY_SEVERITY[check.severity],
      precision: 'high',
    },
  };
  const helpUri = check.references?.find((r) => /^https:\/\//.test(r));
  if (helpUri) rule.helpUri = helpUri;
  return rule;
}

/** The URL a result is about: its evidence `url` when that is an http(s) URL, else the audited site. */
function locationUri(r: Result, siteUrl: string): string {
  const candidate = r.evidence?.['url'];
  if (typeof candidate === 'string' && candidate.length <= 2048) {
    try {
      const u = new URL(candidate);
      if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
    } catch {
      // not a URL: fall back to the site
    }
  }
  return siteUrl;
}

/**
 * SARIF 2.1.0: one rule per registered check id (plus any check id seen only in the results), one
 * result per `fail` or `error` result.
 *
 * `pass` and `skip` results are left out of `results` on purpose: GitHub code scanning (the main SARIF
 * consumer) ignores `kind` and shows every result as an alert, so `kind: pass`/`notApplicable` results
 * would bury the real findings; their counts are kept in `runs[0].properties.summary`. A `fail` is
 * `kind: fail` with the level of its severity; an `error` (the check could not look) is `kind: review`
 * (SARIF then requires `level: none`), so it needs a human without pretending to be a finding, and it is
 * also listed as a tool execution notification.
 */
export function renderSarif(report: Report): string {
  const r = redactDeep(report);
  const rules: SarifRule[] = ALL_CHECKS.map(ruleFor);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  for (const res of r.results) {
    if (index.has(res.check)) continue;
    index.set(res.check, rules.length);
    rules.push(
      ruleFor({
        id: res.check,
        title: res.title,
        description: res.title,
        remediation: res.remediation ?? '',
        severity: res.severity,
      }),
    );
  }
  const results: Record<string, unknown>[] = [];
  const notifications: Record<string, unknown>[] = [];
  for (const res of r.results) {
    if (res.status !== 'fail' && res.status !== 'error') continue;
    const uri = locationUri(res, r.target.url);
    const resultId = res.id ?? res.check;
    const text = res.message || res.title;
    const out: Record<string, unknown> = {
      ruleId: res.check,
      ruleIndex: index.get(res.check)!,
      kind: res.status === 'fail' ? 'fail' : 'review',
      level: res.status === 'fail' ? sarifLevel(res.severity) : 'none',
      message: { text: `${res.title}: ${text}` },
      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
      partialFingerprints: {
        'civiguardResult/v1': createHash('sha256').update(`${resultId}\0${uri}`).digest('hex').slice(0, 32),
      },
      properties: {
        resultId,
        status: res.status,
        severity: res.severity,
        ...(res.evidence ? { evidence: res.evidence } : {}),
        ...(res.remediation ? { remediation: res.remediation } : {}),
      },
    };
    results.push(out);
    if (res.status === 'error') {
      notifications.push({
        level: 'error',
        message: { text: `${resultId} could not run: ${text}` },
        associatedRule: { id: res.check, index: index.get(res.check)! },
      });
    }
  }
  const started = new Date(r.startedAt);
  const ended = Number.isNaN(started.getTime()) ? null : new Date(started.getTime() + r.durationMs);
  const log: SarifLog = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'civiguard',
            version: r.tool.version,
            semanticVersion: r.tool.version,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(ended ? { startTimeUtc: started.toISOString(), endTimeUtc: ended.toISOString() } : {}),
            toolExecutionNotifications: notifications,
          },
        ],
        results,
        properties: { target: r.target, summary: r.summary },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
