/**
 * Which directories of a CiviCRM site hold data worth backing up (SPEC §4): under each CiviCRM data
 * root (Drupal `sites/<site>/files/civicrm`, Backdrop `files/civicrm`, WordPress
 * `wp-content/uploads/civicrm`, Joomla `media/civicrm`, Standalone `private` and `public`) the `upload`,
 * `custom`, `persist` and `ext` directories; plus the custom template, custom PHP and extension
 * directories a settings file sets with a literal absolute path. Compiled templates and caches are not
 * included (and the files source excludes them anyway).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

const DATA_SUBDIRS = ['upload', 'custom', 'persist', 'ext'];
const SETTING_DIRS =
  /\$civicrm_setting\s*\[[^\]]+\]\s*\[\s*(['"])(customTemplateDir|customPHPPathDir|extensionsDir)\1\s*\]\s*=\s*(['"])([^'"]*)\3/g;

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export function discoverSitePaths(root: string, settingsFile?: string): { paths: string[]; notes: string[] } {
  const notes: string[] = [];
  const dataRoots: string[] = [];
  if (isDir(join(root, 'sites'))) {
    for (const site of readdirSync(join(root, 'sites'))) {
      const d = join(root, 'sites', site, 'files', 'civicrm');
      if (isDir(d)) dataRoots.push(d);
    }
  }
  for (const rel of [
    'files/civicrm',
    'wp-content/uploads/civicrm',
    'media/civicrm',
    'web/sites/default/files/civicrm',
  ]) {
    if (isDir(join(root, rel))) dataRoots.push(join(root, rel));
  }
  const paths: string[] = [];
  for (const d of dataRoots) for (const s of DATA_SUBDIRS) if (isDir(join(d, s))) paths.push(join(d, s));
  // Standalone keeps its data in private/ and public/
  if (!dataRoots.length && existsSync(join(root, 'civicrm.standalone.php'))) {
    for (const s of ['private', 'public']) if (isDir(join(root, s))) paths.push(join(root, s));
  }
  if (settingsFile) {
    let php = '';
    try {
      php = readFileSync(settingsFile, 'utf8');
    } catch (e) {
      notes.push(`cannot read ${settingsFile}: ${(e as Error).message}`);
    }
    for (const m of php.matchAll(SETTING_DIRS)) {
      const value = m[4]!;
      if (!isAbsolute(value)) {
        notes.push(`${m[2]} is '${value}' (a token or relative path): give it with --path`);
        continue;
      }
      if (isDir(value)) paths.push(value);
      else notes.push(`${m[2]} ${value} does not exist`);
    }
  }
  if (!paths.length) notes.push(`no CiviCRM data directory found under ${root}`);
  return { paths: [...new Set(paths)], notes };
}
