import type { Report } from '../core/result.js';
import { redactDeep } from '../core/redact.js';

/** SPEC §5 JSON report (schema: schema/report.schema.json), secrets redacted. */
export function renderJson(report: Report): string {
  return JSON.stringify(redactDeep(report), null, 2) + '\n';
}
