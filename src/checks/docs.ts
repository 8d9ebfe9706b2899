import { CATALOGUE } from '../core/catalogue.js';
import { ALL_CHECKS } from './index.js';

/** The check reference (docs/checks.md), generated from the registry so it cannot drift. */
export function renderCheckDocs(): string {
  const lines = [
    '# Check reference',
    '',
    'Generated from the check registry by `node --import tsx scripts/gen-check-docs.ts`; do not edit by hand.',
    '',
    '| id | default severity | mode | what fails it | guide section |',
    '|---|---|---|---|---|',
  ];
  for (const c of [...ALL_CHECKS].sort((a, b) => a.id.localeCompare(b.id))) {
    const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(`| \`${c.id}\` | ${c.severity} | ${c.mode} | ${cell(c.description)} | ${cell(c.seed)} |`);
  }
  const missing = Object.keys(CATALOGUE).filter((id) => !ALL_CHECKS.some((c) => c.id === id));
  if (missing.length) {
    lines.push('', `Not implemented yet (${missing.length}): ${missing.map((m) => `\`${m}\``).join(', ')}.`);
  }
  return lines.join('\n') + '\n';
}
