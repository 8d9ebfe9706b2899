import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { showControls } from './escape.js';
import { renderJunit } from './junit.js';
import { HOSTILE, sampleReport } from './test-support/sample-report.js';
import { findAll, parseXml } from './test-support/xml.js';

describe('junit reporter', () => {
  const xml = renderJunit(sampleReport());
  const doc = parseXml(xml);

  it('is well-formed XML with one testsuite per area', () => {
    assert.equal(doc.name, 'testsuites');
    const suites = findAll(doc, 'testsuite').map((s) => s.attrs['name']);
    assert.deepEqual(suites, ['tls', 'http', 'exposure', 'ssh', 'access']);
  });

  const cases: { name: string; testcase: string; child: string | null; type?: string }[] = [
    { name: 'pass → empty testcase', testcase: 'tls.cert-trusted', child: null },
    {
      name: 'fail → <failure> typed by severity',
      testcase: 'tls.protocols.tls1_0',
      child: 'failure',
      type: 'warning',
    },
    { name: 'skip → <skipped>', testcase: 'tls.protocols.sslv3', child: 'skipped' },
    { name: 'critical fail', testcase: 'exposure.backups', child: 'failure', type: 'critical' },
    { name: 'error → <error>', testcase: 'exposure.vcs', child: 'error', type: 'check-error' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const tc = findAll(doc, 'testcase').find((t) => t.attrs['name'] === c.testcase);
      assert.ok(tc, `testcase ${c.testcase}`);
      if (c.child === null) assert.equal(tc.children.length, 0);
      else {
        assert.equal(tc.children.length, 1);
        assert.equal(tc.children[0]!.name, c.child);
        if (c.type) assert.equal(tc.children[0]!.attrs['type'], c.type);
        assert.ok(tc.children[0]!.attrs['message']!.length > 0);
      }
    });
  }

  it('counts per suite and in total match the results', () => {
    const tls = findAll(doc, 'testsuite').find((s) => s.attrs['name'] === 'tls')!;
    assert.deepEqual(
      ['tests', 'failures', 'errors', 'skipped'].map((k) => tls.attrs[k]),
      ['3', '1', '0', '1'],
    );
    assert.deepEqual(
      ['tests', 'failures', 'errors', 'skipped'].map((k) => doc.attrs[k]),
      ['9', '5', '1', '2'],
    );
    assert.equal(findAll(doc, 'testcase').length, 9);
  });

  it('escapes hostile text: it parses back to exactly what was said, with controls made visible', () => {
    const tc = findAll(doc, 'testcase').find((t) => t.attrs['name'] === 'http.disclosure')!;
    const failure = tc.children[0]!;
    assert.equal(
      failure.attrs['message'],
      `Title of http.disclosure: Server header says ${showControls(HOSTILE)}`,
    );
    assert.ok(failure.text.includes(`Server header says ${showControls(HOSTILE)}`));
    assert.ok(failure.text.includes('fix: Hide versions.'));
    assert.ok(!xml.includes('<script>'));
    assert.ok(!xml.includes('\x1b'));
  });

  it('keeps newlines in attribute values as character references', () => {
    const r = sampleReport();
    r.results = [{ ...r.results[1]!, message: 'line one\nline two\ttab' }];
    const out = renderJunit(r);
    assert.match(out, /line one&#10;line two&#9;tab/);
    const failure = findAll(parseXml(out), 'failure')[0]!;
    assert.equal(failure.attrs['message'], 'Title of tls.protocols: line one\nline two\ttab');
  });

  it('gives repeated result ids distinct testcase names', () => {
    const r = sampleReport();
    r.results = [r.results[3]!, { ...r.results[3]!, message: 'again' }];
    const names = findAll(parseXml(renderJunit(r)), 'testcase').map((t) => t.attrs['name']);
    assert.deepEqual(names, ['http.hsts.missing', 'http.hsts.missing #2']);
  });

  it('the XML reader used here rejects what a sloppy reporter would write', () => {
    for (const bad of ['<a>x & y</a>', '<a b="<"/>', '<a>\x1b</a>', '<a><b></a></b>', '<a b=c/>']) {
      assert.throws(() => parseXml(bad), Error, bad);
    }
  });
});
