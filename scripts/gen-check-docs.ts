// Writes docs/checks.md from the check registry (STYLE.md: docs come from metadata).
// Run: node --import tsx scripts/gen-check-docs.ts  (the registry test fails when it is stale)
import { writeFileSync } from 'node:fs';
import { renderCheckDocs } from '../src/checks/docs.js';

writeFileSync(new URL('../docs/checks.md', import.meta.url), renderCheckDocs());
console.log('wrote docs/checks.md');
