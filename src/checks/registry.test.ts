import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AREAS } from '../core/check.js';
import { CATALOGUE } from '../core/catalogue.js';
import { renderCheckDocs } from './docs.js';
import { ALL_CHECKS } from './index.js';

const dir = new URL('./', import.meta.url);

describe('check registry', () => {
  it('has unique ids that are in the SPEC §3 catalogue with the same default severity', () => {
    const ids = ALL_CHECKS.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate check id');
    for (const c of ALL_CHECKS) {
      assert.ok(c.id in CATALOGUE, `${c.id} is not in the catalogue`);
      assert.equal(c.severity, CATALOGUE[c.id], `${c.id} default severity differs from the catalogue`);
      assert.equal(c.area, c.id.split('.')[0], `${c.id} is in the wrong area`);
    }
  });

  it('every check file is registered, named after its id and has a test beside it', () => {
    for (const area of AREAS) {
      const areaDir = new URL(`${area}/`, dir);
      if (!existsSync(areaDir)) continue;
      for (const f of readdirSync(areaDir)) {
        if (!f.endsWith('.ts') || f.endsWith('.test.ts') || f === 'index.ts') continue;
        const src = readFileSync(new URL(f, areaDir), 'utf8');
        if (!src.includes('defineCheck(')) continue; // helpers shared by an area's checks
        const id = `${area}.${f.replace(/\.ts$/, '')}`;
        assert.ok(
          ALL_CHECKS.some((c) => c.id === id),
          `${area}/${f} defines a check that is not registered as ${id}`,
        );
        assert.ok(
          existsSync(new URL(f.replace(/\.ts$/, '.test.ts'), areaDir)),
          `${area}/${f} has no test file`,
        );
      }
    }
  });

  it('every check is documented (description, remediation, seed given) and its outcomes have titles', () => {
    for (const c of ALL_CHECKS) {
      assert.ok(c.title.length > 3, `${c.id}: title`);
      assert.ok(c.description.length > 20, `${c.id}: description`);
      assert.ok(c.remediation.length > 10, `${c.id}: remediation`);
      for (const [k, o] of Object.entries(c.outcomes ?? {})) {
        assert.match(k, /^[A-Za-z0-9_.-]+$/, `${c.id}: outcome key ${k}`);
        assert.ok(o.title.length > 3, `${c.id}.${k}: title`);
      }
    }
  });

  it('docs/checks.md is generated from the current registry', () => {
    const onDisk = readFileSync(new URL('../../docs/checks.md', import.meta.url), 'utf8');
    assert.equal(
      onDisk,
      renderCheckDocs(),
      'docs/checks.md is stale: run node --import tsx scripts/gen-check-docs.ts',
    );
  });
});
