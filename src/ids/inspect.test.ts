// inspect(): scoring per field and per request, thresholds and decisions, exemptions (route and field),
// CiviCRM's rich-text fields in HTML mode, JSON fields and bodies leaf by leaf, caps reported in notes,
// option validation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createIds, decide, inspect, parseCookieHeader } from './inspect.js';
import { CiviguardError } from '../core/errors.js';
import { wildcardMatch } from './options.js';

const SQLI = "x' UNION SELECT password FROM civicrm_contact -- "; // ≥ 75 alone
const XSS_HANDLER = '<img src=x onerror=alert(1)>';

describe('ids inspect: decisions', () => {
  const cases: [number, string][] = [
    [0, 'pass'],
    [24, 'pass'],
    [25, 'log'],
    [49, 'log'],
    [50, 'warn'],
    [74, 'warn'],
    [75, 'block'],
    [400, 'block'],
  ];
  for (const [impact, want] of cases) {
    it(`impact ${impact} → ${want} with CiviCRM's 25/50/75`, () =>
      assert.equal(decide(impact, { log: 25, warn: 50, block: 75 }), want));
  }
  it('thresholds are configurable', () => {
    const ids = createIds({ thresholds: { log: 10, warn: 200, block: 300 } });
    assert.equal(ids.inspect({ body: { a: SQLI } }).decision, 'log');
  });
  it('the request total is the sum of its fields', () => {
    const one = inspect({ body: { a: '../../etc/passwd' } });
    const two = inspect({ body: { a: '../../etc/passwd', b: '../../etc/passwd' } });
    assert.equal(two.impact, 2 * one.impact);
    assert.equal(one.decision, 'warn');
    assert.equal(two.decision, 'block');
  });
  it('an ordinary CiviCRM contribution form passes with impact 0', () => {
    const r = inspect({
      path: '/civicrm/contribute/transact',
      query: '_qf_Main_display=true&qfKey=1b2c3d4e5f&reset=1&id=1',
      body: {
        first_name: 'Siobhán',
        last_name: "O'Connor",
        email: 'siobhan@example.ie',
        amount: '25.00',
        street_address: '12 Main St., Apt 3',
        postal_code: 'D02 X285',
        note: 'For the spring appeal — thanks!',
      },
      headers: {
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        referer: 'https://example.org/civicrm/contribute/transact?reset=1&id=1',
        cookie: 'SSESSabc=xyz; has_js=1',
      },
    });
    assert.deepEqual(
      { impact: r.impact, decision: r.decision, fields: r.fields },
      { impact: 0, decision: 'pass', fields: [] },
    );
  });
  it('reports fields with their source, mode, tags and rule hits, highest first', () => {
    const r = inspect({
      path: '/x',
      query: 'q=../../etc/passwd',
      body: { name: SQLI },
      headers: { 'user-agent': "' or sleep(5)#" },
    });
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.source, f.mode]),
      [
        ['body.name', 'body', 'string'],
        ['header.user-agent', 'header', 'string'],
        ['query.q', 'query', 'string'],
      ],
    );
    assert.ok(r.fields[0]!.hits.some((h) => h.id === 'sqli.union-select'));
    assert.deepEqual(r.tags.sort(), ['lfi', 'sqli', 'traversal']);
  });
});

describe('ids inspect: HTML mode, JSON mode, exemptions', () => {
  it("CiviCRM's rich-text fields are in HTML mode: a mail template with markup passes", () => {
    const template =
      '<p>Dear {contact.first_name},</p><p><a href="{action.unsubscribeUrl}">Unsubscribe</a></p><img src="https://example.org/logo.png">';
    assert.equal(inspect({ body: { msg_html: template } }).impact, 0);
    assert.ok(
      inspect({ body: { first_name: template } }).impact >= 25,
      'the same markup in a plain field is suspicious',
    );
  });
  it('HTML mode still blocks executable HTML', () => {
    const r = inspect({ body: { body_html: `<p>hi</p>${XSS_HANDLER}` } });
    assert.equal(r.fields[0]!.mode, 'html');
    assert.equal(r.decision, 'block');
  });
  it("CiviCRM's json parameter is inspected leaf by leaf", () => {
    const ok = inspect({
      path: '/civicrm/ajax/rest',
      query: {
        entity: 'Contact',
        action: 'get',
        json: '{"sequential":1,"first_name":"O\'Brien","options":{"limit":25}}',
      },
    });
    assert.equal(ok.impact, 0, JSON.stringify(ok.fields));
    const bad = inspect({
      path: '/civicrm/ajax/rest',
      query: { json: `{"sequential":1,"return":"${SQLI.replace(/"/g, '')}"}` },
    });
    assert.equal(bad.fields[0]!.name, 'query.json.return');
    assert.equal(bad.decision, 'block');
  });
  it('JSON keys are inspected too (NoSQL operators)', () => {
    const r = inspect({ body: '{"user":{"$ne":null},"pass":{"$ne":null}}', bodyType: 'json' });
    assert.ok(r.tags.includes('nosql'), JSON.stringify(r.fields));
  });
  it('an invalid JSON document is inspected as text, with a note (fail closed)', () => {
    const r = inspect({ query: { json: `{"a": "${XSS_HANDLER}` } });
    assert.ok(r.impact >= 50);
    assert.match(r.notes.join(), /not valid JSON/);
  });
  it('exemptions by route and field (skip, or another mode); the first match wins', () => {
    const ids = createIds({
      exemptions: [
        { route: '/civicrm/admin/*', field: 'css', mode: 'skip' },
        { field: /^custom_\d+$/, mode: 'html' },
      ],
    });
    const css = 'body { background: url(javascript:alert(1)) }';
    assert.equal(ids.inspect({ path: '/civicrm/admin/setting', body: { css } }).impact, 0);
    assert.ok(
      ids.inspect({ path: '/civicrm/contribute', body: { css } }).impact >= 25,
      'other routes are inspected',
    );
    assert.equal(ids.inspect({ body: { custom_12: '<p><b>bold</b></p>' } }).impact, 0);
    assert.ok(ids.inspect({ body: { custom_12: XSS_HANDLER } }).impact >= 50);
  });
  it('analytics cookies are skipped, other cookies are inspected', () => {
    const r = inspect({
      headers: {
        cookie: `__utmz=${encodeURIComponent('<script>x</script>')}; pref=${encodeURIComponent(SQLI)}`,
      },
    });
    assert.deepEqual(
      r.fields.map((f) => f.name),
      ['cookie.pref'],
    );
  });
  it('parameter names are values too', () => {
    const r = inspect({ query: `${encodeURIComponent('a[<script>alert(1)</script>]')}=1` });
    assert.ok(r.tags.includes('xss'));
  });
});

describe('ids inspect: caps', () => {
  it('inspects at most maxFields fields and says so', () => {
    const body: Record<string, string> = {};
    for (let i = 0; i < 50; i++) body[`f${i}`] = 'x';
    body.last = SQLI;
    const r = createIds({ limits: { maxFields: 20 } }).inspect({ body });
    assert.equal(r.impact, 0);
    assert.match(r.notes.join(), /more than 20 fields/);
  });
  it('reads at most maxValueLength characters of a value and says so', () => {
    const r = createIds({ limits: { maxValueLength: 1000 } }).inspect({
      body: { a: 'x'.repeat(5000) + SQLI },
    });
    assert.equal(r.impact, 0);
    assert.match(r.notes.join(), /longer than 1000/);
  });
  it('nesting deeper than maxDepth is cut and noted', () => {
    let doc = '"x"';
    for (let i = 0; i < 50; i++) doc = `{"a":${doc}}`;
    const r = createIds({ limits: { maxDepth: 10 } }).inspect({ body: doc, bodyType: 'json' });
    assert.match(r.notes.join(), /nested deeper than 10/);
  });
});

describe('ids inspect: options are validated once, bad values echoed', () => {
  const bad: [string, unknown, RegExp][] = [
    ['unknown option', { threshold: {} }, /unknown option 'threshold' \(did you mean 'thresholds'\?\)/],
    [
      'unknown threshold',
      { thresholds: { blok: 80 } },
      /unknown threshold 'blok' \(did you mean 'block'\?\)/,
    ],
    ['order of thresholds', { thresholds: { log: 80, block: 50 } }, /log ≤ warn ≤ block/],
    ['threshold type', { thresholds: { log: '25' } }, /thresholds.log must be a number/],
    [
      'exemption mode',
      { exemptions: [{ field: 'x', mode: 'htm' }] },
      /mode must be one of .*did you mean 'html'/,
    ],
    ['exemption without target', { exemptions: [{ mode: 'skip' }] }, /needs a route, a field or both/],
    ['limit', { limits: { maxFields: 0 } }, /limits.maxFields must be a whole number/],
  ];
  for (const [name, opts, msg] of bad) {
    it(name, () => {
      assert.throws(
        () => createIds(opts as never),
        (e: unknown) => e instanceof CiviguardError && e.code === 'E_CONFIG' && msg.test(e.message),
      );
    });
  }
});

describe('ids inspect: helpers', () => {
  it('parses cookie headers with caps', () => {
    assert.deepEqual(parseCookieHeader('a=1; b="two"; c=%3Cx%3E; =bad; d'), { a: '1', b: 'two', c: '<x>' });
  });
  const wild: [string, string, boolean][] = [
    ['/civicrm/admin/*', '/civicrm/admin/setting', true],
    ['/civicrm/admin/*', '/civicrm/contribute', false],
    ['*_html', 'msg_html', true],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['exact', 'exact', true],
  ];
  for (const [p, t, want] of wild)
    it(`wildcard ${p} ~ ${t}: ${want}`, () => assert.equal(wildcardMatch(p, t), want));
});
