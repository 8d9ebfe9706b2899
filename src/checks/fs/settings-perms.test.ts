import assert from 'node:assert/strict';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { judge, statuses } from '../../test-support/facts.js';
import type { FixtureCms, SiteFixture } from '../../test-support/sites/index.js';
import { buildSite } from '../../test-support/sites/index.js';
import { phpUser } from '../../test-support/sites/facts.js';
import { discoverLayout } from '../../probes/local/layout.js';
import settingsPerms from './settings-perms.js';

const WEB = 33;
const made: SiteFixture[] = [];
after(() => made.forEach((s) => s.remove()));

/** What settingsFilesProbe gathers, from the real files. */
function filesOf(fx: SiteFixture) {
  const l = discoverLayout(fx.root, { host: 'site.test', port: 443 });
  const paths = new Set([
    ...(l.settings?.files ?? []),
    ...l.cmsSettingsFiles,
    ...(l.settingsFile ? [l.settingsFile] : []),
  ]);
  return {
    layout: l,
    files: [...paths].map((p) => {
      const st = statSync(p);
      return { path: p, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
    }),
  };
}

const harden = (fx: SiteFixture, extra: string[] = []) => {
  for (const f of [fx.settingsFile, ...extra]) {
    chownSync(f, 0, WEB);
    chmodSync(f, 0o640);
  }
};

const cases: {
  name: string;
  cms: FixtureCms;
  setup: (fx: SiteFixture) => void;
  web?: 'unknown';
  expect: string[];
}[] = [
  {
    name: 'root:www-data 640 everywhere',
    cms: 'wordpress',
    setup: (fx) => harden(fx, [`${fx.webRoot}/wp-config.php`]),
    expect: ['fs.settings-perms:pass'],
  },
  {
    name: 'civicrm.settings.php left 644 (readable by others)',
    cms: 'drupal7',
    setup: (fx) => {
      harden(fx, [`${fx.webRoot}/sites/default/settings.php`]);
      chmodSync(fx.settingsFile, 0o644);
    },
    expect: ['fs.settings-perms.world-readable:fail'],
  },
  {
    name: "CMS settings.php readable by others (not only CiviCRM's)",
    cms: 'backdrop',
    setup: (fx) => harden(fx),
    expect: ['fs.settings-perms.world-readable:fail'],
  },
  {
    name: 'civicrm.settings.php owned by the PHP user (it could rewrite it)',
    cms: 'joomla',
    setup: (fx) => {
      harden(fx, [`${fx.webRoot}/configuration.php`]);
      chownSync(fx.settingsFile, WEB, WEB);
    },
    expect: ['fs.settings-perms.php-user-writable:fail'],
  },
  {
    name: 'PHP user unknown: readable-by-others still judged, no pass',
    cms: 'standalone',
    setup: (fx) => harden(fx),
    web: 'unknown',
    expect: ['fs.settings-perms.php-user:skip', 'fs.settings-perms:skip'],
  },
];

describe('fs.settings-perms (real files)', () => {
  for (const c of cases) {
    it(c.name, (t) => {
      if (process.getuid?.() !== 0) return t.skip('needs root to chown fixture files');
      const fx = buildSite(c.cms);
      made.push(fx);
      c.setup(fx);
      const web = c.web
        ? { ok: false as const, status: 'skip' as const, reason: 'unknown', durationMs: 1 }
        : phpUser('www-data', WEB);
      const r = judge(settingsPerms, filesOf(fx), { web });
      assert.deepEqual(statuses(r), c.expect, JSON.stringify(r, null, 1));
    });
  }
  it('no settings files at all: skip', () => {
    const r = judge(settingsPerms, { layout: {}, files: [] }, { web: phpUser('www-data', WEB) });
    assert.deepEqual(statuses(r), ['fs.settings-perms:skip']);
  });
});
