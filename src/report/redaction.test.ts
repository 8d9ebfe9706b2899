import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMATS, render } from './index.js';
import { SECRET, sampleReport } from './test-support/sample-report.js';

describe('every format redacts secrets', () => {
  for (const format of FORMATS) {
    it(`${format}: the password in message and evidence never appears`, async () => {
      const out = await render(sampleReport(), format);
      assert.ok(out.length > 200, 'rendered something');
      assert.ok(!out.includes(SECRET), `${format} leaked the secret`);
      assert.ok(!out.includes('hunter2'), `${format} leaked part of the secret`);
      assert.ok(out.includes('***'), `${format} shows where something was redacted`);
    });
  }
  it('the report given to the renderers is not modified', async () => {
    const r = sampleReport();
    for (const f of FORMATS) await render(r, f);
    assert.ok(JSON.stringify(r).includes(SECRET));
  });
});
