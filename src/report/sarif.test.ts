import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_CHECKS } from '../checks/index.js';
import type { Severity } from '../core/severity.js';
import type { SarifLog } from './sarif.js';
import { renderSarif, sarifLevel } from './sarif.js';
import { schemaValidator } from './test-support/ajv.js';
import { sampleReport } from './test-support/sample-report.js';

const validate = schemaValidator('sarif-2.1.0.subset.schema.json');

describe('sarif reporter', () => {
  const text = renderSarif(sampleReport());
  const log = JSON.parse(text) as SarifLog;
  const run = log.runs[0]!;
  const rules = run.tool.driver.rules;

  it('validates against the SARIF 2.1.0 schema subset', () => {
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    assert.equal(log.version, '2.1.0');
  });

  it('the schema subset catches broken logs', () => {
    const broken: unknown[] = [
      { ...log, version: '2.0.0' },
      { ...log, runs: [{ ...run, tool: { driver: {} } }] },
      { ...log, runs: [{ ...run, results: [{ ruleId: 'x' }] }] },
      { ...log, runs: [{ ...run, results: [{ message: { text: 'x' }, kind: 'pass', level: 'error' }] }] },
      { ...log, runs: [{ ...run, results: [{ message: { text: 'x' }, level: 'fatal' }] }] },
      { ...log, runs: [{ ...run, invocations: [{ startTimeUtc: '2026-03-01T10:00:00Z' }] }] },
      { ...log, runs: [{ ...run, invocations: [{ executionSuccessful: true, startTimeUtc: 'yesterday' }] }] },
    ];
    for (const b of broken) assert.equal(validate(b), false, JSON.stringify(b).slice(0, 200));
  });

  it('has one rule per registered check id, plus ids seen only in results', () => {
    const ids = rules.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate rule ids');
    for (const c of ALL_CHECKS) {
      const rule = rules.find((r) => r.id === c.id);
      assert.ok(rule, `rule for ${c.id}`);
      assert.equal(rule.shortDescription.text, c.title);
      assert.equal(rule.fullDescription.text, c.description);
      assert.equal(rule.help.text, c.remediation);
      assert.equal(rule.defaultConfiguration.level, sarifLevel(c.severity));
    }
    for (const r of sampleReport().results) assert.ok(ids.includes(r.check), r.check);
  });

  const levels: [Severity, string][] = [
    ['critical', 'error'],
    ['error', 'error'],
    ['warning', 'warning'],
    ['notice', 'note'],
    ['info', 'note'],
  ];
  for (const [sev, level] of levels)
    it(`severity ${sev} → level ${level}`, () => assert.equal(sarifLevel(sev), level));

  it('emits fail results as kind fail with their level, and errors as kind review', () => {
    const got = run.results.map(
      (r) => `${(r['properties'] as { resultId: string }).resultId}:${r['kind']}:${r['level']}`,
    );
    assert.deepEqual(got, [
      'tls.protocols.tls1_0:fail:warning',
      'http.hsts.missing:fail:warning',
      'http.disclosure:fail:note',
      'exposure.backups:fail:error',
      'exposure.vcs:review:none',
      'access.admin-exposed:fail:note',
    ]);
    const notes = run.invocations[0]!['toolExecutionNotifications'] as { message: { text: string } }[];
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message.text, /^exposure\.vcs could not run/);
  });

  it('leaves pass and skip results out but keeps their counts', () => {
    const summary = run.properties['summary'] as { pass: number; skip: number };
    assert.equal(summary.pass, 1);
    assert.equal(summary.skip, 2);
    assert.ok(!text.includes('chain verifies'));
  });

  it('points ruleIndex at the rule, locates results by URL and carries evidence', () => {
    for (const r of run.results) assert.equal(rules[r['ruleIndex'] as number]!.id, r['ruleId']);
    const backups = run.results.find((r) => r['ruleId'] === 'exposure.backups')!;
    const loc = (backups['locations'] as { physicalLocation: { artifactLocation: { uri: string } } }[])[0]!;
    assert.equal(loc.physicalLocation.artifactLocation.uri, 'https://demo.civiguard.test:8443/backup.sql');
    const hsts = run.results.find((r) => r['ruleId'] === 'http.hsts')!;
    const loc2 = (hsts['locations'] as { physicalLocation: { artifactLocation: { uri: string } } }[])[0]!;
    assert.equal(loc2.physicalLocation.artifactLocation.uri, 'https://demo.civiguard.test:8443/');
    assert.ok((backups['properties'] as { evidence?: unknown }).evidence);
  });

  it('gives stable fingerprints that differ between results', () => {
    const again = JSON.parse(renderSarif(sampleReport())) as SarifLog;
    const fp = (l: SarifLog) => l.runs[0]!.results.map((r) => JSON.stringify(r['partialFingerprints']));
    assert.deepEqual(fp(again), fp(log));
    assert.equal(new Set(fp(log)).size, fp(log).length);
  });
});
