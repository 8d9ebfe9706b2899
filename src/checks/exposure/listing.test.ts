import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { ProbedItem } from '../../probes/exposure/types.js';
import listing from './listing.js';
import { canary, DRUPAL_404, facts, item, nginxListing } from './test-support/facts.js';

const R = 'sites/default/files/civicrm/';
const F = 'sites/default/files/';
const APACHE = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html><head><title>Index of /${F.slice(0, -1)}</title></head><body><h1>Index of /${F.slice(0, -1)}</h1>
<table><tr><th><a href="?C=N;O=D">Name</a></th></tr>
<tr><td><a href="/sites/default/">Parent Directory</a></td></tr>
<tr><td><a href="civicrm/">civicrm/</a></td></tr><tr><td><a href="css/">css/</a></td></tr>
</table><address>Apache/2.4.62 (Debian) Server at example.org Port 443</address></body></html>`;

describe('exposure.listing', () => {
  const cases: { name: string; items: ProbedItem[]; expect: string[] }[] = [
    {
      name: 'nginx listing of the data root',
      items: [
        item(R, 'dir', {
          role: 'data-root',
          status: 200,
          body: nginxListing(R, ['upload/', 'ConfigAndLog/']),
        }),
      ],
      expect: ['exposure.listing:fail'],
    },
    {
      name: 'Apache listing of the CMS files dir',
      items: [item(F, 'dir', { role: 'cms-files', status: 200, body: APACHE })],
      expect: ['exposure.listing:fail'],
    },
    {
      name: 'listing of persist/contribute (may be read, not listed)',
      items: [
        item(`${R}persist/contribute/`, 'dir', {
          role: 'images',
          status: 200,
          body: nginxListing(`${R}persist/contribute/`, ['logo.png']),
        }),
      ],
      expect: ['exposure.listing:fail'],
    },
    {
      name: 'dirs denied or with an empty index.html',
      items: [
        item(R, 'dir', { role: 'data-root', status: 403, body: 'Forbidden', baseline: [404, DRUPAL_404] }),
        item(`${R}persist/contribute/`, 'dir', {
          role: 'images',
          status: 200,
          body: '',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.listing:pass'],
    },
    {
      name: 'a CMS page that talks about "Index of" is not a listing',
      items: [
        item(F, 'dir', {
          role: 'cms-files',
          status: 200,
          body: '<html><head><title>Files</title></head><body><h1>Index of /sites/default/files/</h1><a href="a.pdf">a</a></body></html>',
          baseline: [404, DRUPAL_404],
        }),
      ],
      expect: ['exposure.listing:pass'],
    },
    {
      name: 'catch-all 200 site: no false fail',
      items: [
        item(R, 'dir', { role: 'data-root', status: 200, body: DRUPAL_404, baseline: [200, DRUPAL_404] }),
        item(F, 'dir', { role: 'cms-files', status: 200, body: DRUPAL_404, baseline: [200, DRUPAL_404] }),
      ],
      expect: ['exposure.listing:pass'],
    },
    {
      name: 'nothing there (all 404): skip',
      items: [
        item(R, 'dir', { role: 'data-root', status: 404, body: DRUPAL_404 }),
        item(F, 'dir', { role: 'cms-files', status: 404, body: DRUPAL_404 }),
      ],
      expect: ['exposure.listing:skip'],
    },
    {
      name: 'a directory that did not answer is an error',
      items: [
        item(R, 'dir', { role: 'data-root', status: 403, body: 'Forbidden' }),
        item(F, 'dir', { role: 'cms-files', error: 'timeout' }),
      ],
      expect: ['exposure.listing:error'],
    },
    {
      name: 'a listing and an unanswered dir: both reported',
      items: [
        item(R, 'dir', { role: 'data-root', status: 200, body: nginxListing(R, ['upload/']) }),
        item(F, 'dir', { role: 'cms-files', error: 'timeout' }),
      ],
      expect: ['exposure.listing:fail', 'exposure.listing:error'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(statuses(judge(listing, { exposure: facts(c.items) })), c.expect);
    });
  }
  it('with --root: a configured dir whose URL lists the canary fails; without a listing nothing changes', () => {
    const denied = [
      item(R, 'dir', { role: 'data-root', status: 403, body: 'Forbidden', baseline: [404, DRUPAL_404] }),
    ];
    const listed = canary({
      kind: 'upload',
      status: 'reachable',
      listing: true,
      listingUrl: 'https://example.org/private/civicrm/upload/',
    });
    const r = judge(listing, { exposure: facts(denied) }, { canary: listed });
    assert.deepEqual(statuses(r), ['exposure.listing:fail']);
    assert.match(r[0]!.message, /private\/civicrm\/upload\/ \(it names the canary/);
    const quiet = canary({ kind: 'upload', status: 'not-reachable' });
    assert.deepEqual(statuses(judge(listing, { exposure: facts(denied) }, { canary: quiet })), [
      'exposure.listing:pass',
    ]);
  });
});
