/**
 * The request plan: which URLs the exposure probe asks for, from the CMS layout (layout.ts). Known CMS:
 * its layout in depth. Unknown CMS: every layout, but each layout's data dirs and CiviCRM code dir in
 * depth only when a first request shows that they exist, so the count stays in the dozens.
 */
import type { CmsName } from '../../core/target.js';
import type { DataRoot } from './layout.js';
import {
  backupNames,
  LAYOUTS,
  legacyScripts,
  PHPINFO_PATHS,
  settingsCopies,
  siteDirName,
  VCS_PATHS,
} from './layout.js';
import type { LayoutName, PlanItem } from './types.js';

/** Items that are requested only when `gate` shows that the place exists. */
export interface GatedItems {
  /** Requested first; when any of them shows a sign of life, `deep` follows. */
  gate: PlanItem[];
  deep: PlanItem[];
}

export interface Plan {
  layouts: LayoutName[];
  initial: PlanItem[];
  gated: GatedItems[];
}

const ALL_LAYOUTS: LayoutName[] = ['drupal', 'wordpress', 'backdrop', 'joomla', 'standalone'];

function rootItems(layout: LayoutName, r: DataRoot): { gate: PlanItem[]; deep: PlanItem[] } {
  const gate: PlanItem[] = [{ path: r.root, group: 'dir', layout, role: 'data-root', root: r.root }];
  if (r.cmsFiles) gate.push({ path: r.cmsFiles, group: 'dir', layout, role: 'cms-files', root: r.root });
  const deep: PlanItem[] = [];
  for (const [role, dir] of Object.entries(r.dirs) as [NonNullable<PlanItem['role']>, string][]) {
    deep.push({ path: dir, group: 'dir', layout, role, root: r.root });
    if (role === 'upload' || role === 'custom' || role === 'log' || role === 'templates') {
      // CiviCRM writes a deny-all .htaccess into its private dirs: if it downloads, so does the rest.
      deep.push({ path: `${dir}.htaccess`, group: 'sentinel', layout, role, root: r.root });
    }
    if (role === 'log') {
      deep.push({ path: `${dir}Config.IDS.ini`, group: 'sentinel', layout, role, root: r.root });
      deep.push({ path: `${dir}CiviCRM.log`, group: 'log-guess', layout, role, root: r.root });
    }
  }
  return { gate, deep };
}

/**
 * @example
 * makePlan('drupal', 'example.org').initial.length // ≈ 90 requests before follow-ups
 */
export function makePlan(cms: CmsName, hostName: string | null): Plan {
  const host = hostName ? siteDirName(hostName) : null;
  const known = cms !== 'unknown';
  const layouts = known ? [cms] : ALL_LAYOUTS;
  const initial: PlanItem[] = [];
  const gated: GatedItems[] = [];

  for (const name of layouts) {
    const layout = LAYOUTS[name];
    for (const r of layout.dataRoots(host)) {
      const { gate, deep } = rootItems(name, r);
      if (known && r.primary) initial.push(...gate, ...deep);
      else gated.push({ gate, deep });
    }
    for (const s of layout.settings(host)) {
      initial.push({ path: s.path, group: 'settings', layout: name });
      if (known || s.primary) {
        for (const c of settingsCopies(s.path))
          initial.push({ path: c, group: 'settings-copy', layout: name, of: s.path });
      }
    }
    for (const code of layout.codeRoots) {
      const deep: PlanItem[] = [
        ...legacyScripts(code).map((s): PlanItem => ({ ...s, group: 'unsafe', layout: name })),
        { path: `${code}.git/HEAD`, group: 'vcs', layout: name, tag: 'git' },
      ];
      const installer = layout.installers.find((p) => p.startsWith(code));
      if (installer) deep.push({ path: installer, group: 'unsafe', layout: name, tag: 'installer' });
      if (known) initial.push(...deep);
      else {
        const gate: PlanItem = { path: `${code}css/civicrm.css`, group: 'code-root', layout: name };
        gated.push({ gate: [gate], deep });
      }
    }
    for (const p of layout.installers) {
      if (layout.codeRoots.some((c) => p.startsWith(c))) continue;
      initial.push({ path: p, group: 'unsafe', layout: name, tag: 'installer' });
    }
  }
  for (const v of VCS_PATHS) initial.push({ path: v.path, group: 'vcs', layout: null, tag: v.tag });
  for (const b of backupNames(host)) initial.push({ path: b, group: 'backup', layout: null });
  for (const p of PHPINFO_PATHS) initial.push({ path: p, group: 'unsafe', layout: null, tag: 'phpinfo' });

  return { layouts, initial: dedupe(initial), gated };
}

function dedupe(items: PlanItem[]): PlanItem[] {
  const seen = new Set<string>();
  return items.filter((i) => (seen.has(i.path) ? false : (seen.add(i.path), true)));
}
