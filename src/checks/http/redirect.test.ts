import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProbeOutcome } from '../../core/probe.js';
import type { SiteFacts } from '../../probes/site.js';
import type { PageSpec } from '../../probes/http/page-fixtures.js';
import { page, plainFacts } from '../../probes/http/page-fixtures.js';
import { judge, ok, response, statuses } from '../../test-support/facts.js';
import redirect from './redirect.js';

const httpsOk: ProbeOutcome<SiteFacts> = ok({ cms: 'drupal', cmsEvidence: [], home: response() });
const root = (spec: PageSpec) => page({ key: 'root', url: 'http://example.org/', ...spec });
const to = (location: string, status = 301) => ({ status, headers: { location } });

describe('http.redirect', () => {
  const cases: {
    name: string;
    root: PageSpec;
    site?: ProbeOutcome<SiteFacts>;
    expect: string;
    msg?: RegExp;
  }[] = [
    {
      name: '301 to https on the same host',
      root: { responses: [to('https://example.org/')], unfollowed: 'https://example.org/' },
      expect: 'http.redirect:pass',
    },
    {
      name: '308 to https on another port of the same host',
      root: { responses: [to('https://example.org:8443/', 308)], unfollowed: 'https://example.org:8443/' },
      expect: 'http.redirect:pass',
    },
    {
      name: 'http → http (same host) → https',
      root: {
        responses: [
          { status: 301, headers: { location: 'http://example.org/home' } },
          { url: 'http://example.org/home', ...to('https://example.org/home', 302) },
        ],
        unfollowed: 'https://example.org/home',
      },
      expect: 'http.redirect:pass',
      msg: /after 1 hop/,
    },
    {
      name: 'serves 200 over http',
      root: { responses: [{ status: 200, body: 'hi' }] },
      expect: 'http.redirect.not-redirected:fail',
    },
    {
      name: 'redirects around on http and ends with 200',
      root: { responses: [to('http://example.org/x'), { url: 'http://example.org/x', status: 200 }] },
      expect: 'http.redirect.not-redirected:fail',
      msg: /after 1 redirect/,
    },
    {
      name: 'to https on another host name',
      root: { responses: [to('https://www.example.org/')], unfollowed: 'https://www.example.org/' },
      expect: 'http.redirect.other-host:fail',
    },
    {
      name: 'to http on another host name',
      root: { responses: [to('http://www.example.org/')], unfollowed: 'http://www.example.org/' },
      expect: 'http.redirect.other-host:fail',
      msg: /still over plain http/,
    },
    {
      name: '303 to https',
      root: { responses: [to('https://example.org/', 303)], unfollowed: 'https://example.org/' },
      expect: 'http.redirect.redirect-status:fail',
    },
    {
      name: 'connection refused',
      root: { error: 'connect ECONNREFUSED', refused: true },
      expect: 'http.redirect:pass',
      msg: /no plain-http service/,
    },
    { name: 'timeout', root: { error: 'no complete answer within 3000 ms' }, expect: 'http.redirect:error' },
    {
      name: 'redirect loop',
      root: { responses: [to('http://example.org/')], stopped: 'redirect loop back to http://example.org/' },
      expect: 'http.redirect:error',
      msg: /loop/,
    },
    {
      name: 'https broken: skip',
      root: { responses: [{ status: 200 }] },
      site: { ok: false, status: 'error', reason: 'connect ECONNREFUSED', durationMs: 1 },
      expect: 'http.redirect:skip',
      msg: /tls\.\*/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(redirect, { plain: plainFacts(root(c.root)) }, { site: c.site ?? httpsOk });
      assert.deepEqual(statuses(results), [c.expect]);
      if (c.msg) assert.match(results[0]!.message, c.msg);
    });
  }
  it('shows the hop chain as evidence', () => {
    const [r] = judge(
      redirect,
      {
        plain: plainFacts(
          root({ responses: [to('https://example.org/')], unfollowed: 'https://example.org/' }),
        ),
      },
      { site: httpsOk },
    );
    assert.deepEqual(r!.evidence?.['chain'], [
      { url: 'http://example.org/', status: 301, location: 'https://example.org/' },
    ]);
  });
});
