import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildTarget } from '../audit/build-target.js';
import { runAudit } from '../audit/run-audit.js';
import { createCa, issueCert } from '../pki/index.js';
import { renderJson } from './json.js';
import { isDateTime, schemaValidator } from './test-support/ajv.js';
import { sampleReport } from './test-support/sample-report.js';

const validate = schemaValidator('report.schema.json');

describe('json reporter against schema/report.schema.json', () => {
  let server: ReturnType<typeof createServer>;
  let port = 0;
  let caPem = '';

  before(async () => {
    const ca = await createCa('civiguard json-test CA');
    const leaf = await issueCert(ca, { dnsNames: ['json.civiguard.test'] });
    caPem = ca.certPem;
    server = createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
      res.setHeader('X-Generator', 'Drupal 10');
      res.end(req.url === '/' ? '<html><body>hello</body></html>' : 'nothing');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('validates the sample report (every status, hostile text, secrets)', () => {
    const out = JSON.parse(renderJson(sampleReport())) as unknown;
    assert.ok(validate(out), JSON.stringify(validate.errors, null, 2));
  });

  it('validates a real audit of a loopback https server', async () => {
    const target = {
      ...buildTarget({
        url: `https://json.civiguard.test:${port}/`,
        resolve: [`json.civiguard.test:${port}:127.0.0.1`],
        timeoutMs: 10_000,
      }),
      ca: [caPem],
    };
    const report = await runAudit(target);
    assert.ok(report.results.length > 0);
    assert.equal(report.target.cms, 'drupal', 'the audit really fetched the page');
    const out = JSON.parse(renderJson(report)) as unknown;
    assert.ok(validate(out), JSON.stringify(validate.errors, null, 2));
  });

  it('rejects reports that break the schema', () => {
    const good = JSON.parse(renderJson(sampleReport())) as Record<string, unknown>;
    const bad: [string, unknown][] = [
      ['no summary', { ...good, summary: undefined }],
      ['startedAt not a date-time', { ...good, startedAt: '1 March 2026' }],
      ['impossible date', { ...good, startedAt: '2026-02-30T10:00:00Z' }],
      [
        'unknown status',
        { ...good, results: [{ check: 'a.b', status: 'ok', severity: 'info', title: 't', message: '' }] },
      ],
      ['unknown property', { ...good, extra: 1 }],
      [
        'bad check id',
        { ...good, results: [{ check: 'TLS', status: 'pass', severity: 'info', title: 't', message: '' }] },
      ],
    ];
    for (const [name, value] of bad) {
      const clean = JSON.parse(JSON.stringify(value)) as unknown;
      assert.equal(validate(clean), false, name);
    }
  });

  const dates: [string, boolean][] = [
    ['2026-03-01T10:00:00.000Z', true],
    ['2026-03-01T10:00:00+02:00', true],
    ['2024-02-29T23:59:60Z', true],
    ['2026-03-01 10:00:00Z', false],
    ['2026-13-01T10:00:00Z', false],
    ['2025-02-29T10:00:00Z', false],
    ['2026-03-01T24:00:00Z', false],
    ['2026-03-01T10:00:00', false],
  ];
  for (const [s, ok] of dates) it(`date-time ${s} → ${ok}`, () => assert.equal(isDateTime(s), ok));
});
