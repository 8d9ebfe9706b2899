import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadAuditConfig } from './config.js';
import { CiviguardError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'civiguard-config-'));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('audit config', () => {
  it('loads valid keys', () => {
    const cfg = loadAuditConfig(
      write('ok.yaml', 'url: https://example.org/\nfailOn: warning\nallowedCountries: [DE, FR]\n'),
    );
    assert.equal(cfg.url, 'https://example.org/');
    assert.deepEqual(cfg.allowedCountries, ['DE', 'FR']);
  });
  const bad: [string, string, RegExp][] = [
    ['typo', 'failon: error\n', /unknown key 'failon' \(did you mean 'failOn'\?\)/],
    ['far typo', 'zzzzzzzz: 1\n', /unknown key 'zzzzzzzz'$/],
    ['bad enum', 'format: pdf\n', /format must be one of: text, json, sarif, html, junit/],
    ['bad country', 'allowedCountries: [germany]\n', /allowedCountries\.0 must match pattern/],
    ['not yaml', 'url: [unclosed\n', /not valid YAML/],
    ['list at top', '- a\n- b\n', /expected a mapping/],
  ];
  for (const [name, text, re] of bad) {
    it(`rejects ${name} with one actionable line`, () => {
      assert.throws(
        () => loadAuditConfig(write(`${name}.yaml`, text)),
        (e: unknown) => e instanceof CiviguardError && re.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
  it('says which file it could not read', () => {
    assert.throws(() => loadAuditConfig(join(dir, 'nope.yaml')), /cannot read config .*nope\.yaml/);
  });
});
