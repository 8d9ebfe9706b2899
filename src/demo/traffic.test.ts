import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { readAccessLogs } from '../probes/access-log.js';
import type { DemoSite } from './site.js';
import { startDemoSite } from './site.js';
import { DEMO_TRAFFIC, sendDemoTraffic } from './traffic.js';
import type { DemoTree } from './tree.js';
import { createDemoTree } from './tree.js';

describe('demo traffic', () => {
  let tree: DemoTree;
  let site: DemoSite;
  let statuses: number[];
  before(async () => {
    tree = createDemoTree();
    site = await startDemoSite({ docroot: tree.webRoot, accessLog: tree.accessLog });
    statuses = await sendDemoTraffic(site);
  });
  after(async () => {
    await site.close();
    tree.remove();
  });

  it('is answered as the site answers anyone: several attacks get a 200', () => {
    assert.equal(statuses.length, DEMO_TRAFFIC.length);
    const byPath = new Map(DEMO_TRAFFIC.map((r, i) => [r.path, statuses[i]]));
    assert.equal(byPath.get("/?id=1'%20OR%20'1'='1"), 200);
    assert.equal(byPath.get('/backup.sql'), 200);
    assert.equal(byPath.get('/.git/config'), 200);
    assert.equal(byPath.get('/../../etc/passwd'), 404);
    assert.equal(byPath.get('/sites/default/civicrm.settings.php.bak'), 403);
    for (const [i, r] of DEMO_TRAFFIC.entries()) if (!r.attack) assert.equal(statuses[i], 200, r.path);
  });

  it('lands in the access log, one combined line per request, targets as sent', () => {
    const lines = readFileSync(tree.accessLog, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, DEMO_TRAFFIC.length);
    assert.equal(site.logged, DEMO_TRAFFIC.length);
    assert.match(
      lines[DEMO_TRAFFIC.findIndex((r) => r.path === '/../../etc/passwd')]!,
      /"GET \/\.\.\/\.\.\/etc\/passwd HTTP\/1\.1" 404 /,
    );
  });

  it('the access-log reader (ids.events) finds exactly the planted attacks, several answered 2xx', async () => {
    const facts = await readAccessLogs([tree.accessLog]);
    assert.equal(facts.requests, DEMO_TRAFFIC.length);
    assert.equal(facts.files[0]?.unparsed, 0);
    assert.equal(facts.attempts, DEMO_TRAFFIC.filter((r) => r.attack).length, JSON.stringify(facts.examples));
    assert.ok(facts.answered2xx >= 3, `answered2xx ${facts.answered2xx}`);
    for (const tag of ['sqli', 'xss', 'traversal', 'recon'])
      assert.ok(facts.byTag[tag], `${tag}: ${JSON.stringify(facts.byTag)}`);
    // Each attacker from its own loopback address where the system allows binding it, else 127.0.0.1.
    const sources = facts.bySource.map((s) => s.source).sort();
    const planned = [...new Set(DEMO_TRAFFIC.filter((r) => r.attack).map((r) => r.from))].sort();
    assert.ok(
      JSON.stringify(sources) === JSON.stringify(planned) || JSON.stringify(sources) === '["127.0.0.1"]',
      sources.join(', '),
    );
  });
});
