import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { CmsName } from '../../core/target.js';
import { describeError } from '../../core/errors.js';
import type { PhpValue } from './php-static.js';
import { PhpArray, Unknown, lookup, phpString, readPhpFile } from './php-static.js';

/**
 * What the files under --root say about the CMS (SPEC §4): which CMS, where the document root is,
 * where civicrm.settings.php may be, the CMS's own settings files and its default CiviCRM files dir.
 */
export type CmsVariant = 'drupal7' | 'drupal8' | 'backdrop' | 'wordpress' | 'joomla' | 'standalone';

/** A file-system prefix that the web server maps to a URL prefix (relative URLs are under the site URL). */
export interface WebMount {
  path: string;
  url: string;
  why: string;
}

export interface CmsTree {
  cms: Exclude<CmsName, 'unknown'>;
  variant: CmsVariant;
  webRoot: string;
  evidence: string[];
  /** civicrm.settings.php candidates, best first. */
  settingsCandidates: string[];
  /** The CMS's own settings files that exist (settings.php, wp-config.php, configuration.php…). */
  cmsSettingsFiles: string[];
  /** Default `[civicrm.files]` path and its URL (relative to the site URL). */
  filesRoot: string;
  filesUrl: string;
  /** Default `[civicrm.private]` when the CMS has its own private path (Drupal), else undefined. */
  privateRoot?: string;
  mounts: WebMount[];
  notes: string[];
}

export interface TreeOptions {
  /** The audited host name (Drupal's sites/<host>, Debian's /etc/wordpress/config-<host>.php). */
  host: string;
  port: number;
  /** Debian's WordPress config dir (tests point it elsewhere). */
  debianWordpressEtc?: string;
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};
const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

function str(v: PhpValue | undefined): string | null {
  if (v === undefined || v instanceof Unknown) return null;
  const s = phpString(v);
  return s instanceof Unknown || s === '' ? null : s;
}

function readQuietly(file: string, notes: string[], opts: Parameters<typeof readPhpFile>[1] = {}) {
  try {
    return readPhpFile(file, opts);
  } catch (e) {
    notes.push(`${file}: ${describeError(e)}`);
    return null;
  }
}

/** Drupal's conf_path(): sites/sites.php aliases, then host-derived dirs, then sites/default. */
function drupalSiteDir(webRoot: string, host: string, port: number, notes: string[]): string {
  const sites = join(webRoot, 'sites');
  const labels = host.toLowerCase().split('.');
  const candidates: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    const h = labels.slice(i).join('.');
    if (port !== 80 && port !== 443) candidates.push(`${port}.${h}`);
    candidates.push(h);
  }
  const aliasesFile = join(sites, 'sites.php');
  const aliases = isFile(aliasesFile) ? readQuietly(aliasesFile, notes)?.variables.get('sites') : undefined;
  for (const c of candidates) {
    const alias = aliases instanceof PhpArray ? str(aliases.get(c)) : null;
    const dir = alias ?? c;
    if (isFile(join(sites, dir, 'settings.php')) || isFile(join(sites, dir, 'civicrm.settings.php')))
      return dir;
  }
  if (isDir(join(sites, 'default'))) return 'default';
  try {
    const withCivi = readdirSync(sites).filter((d) => isFile(join(sites, d, 'civicrm.settings.php')));
    if (withCivi.length >= 1) {
      if (withCivi.length > 1)
        notes.push(`several Drupal sites have CiviCRM (${withCivi.join(', ')}); using ${withCivi[0]}`);
      return withCivi[0]!;
    }
  } catch {
    /* no sites dir */
  }
  return 'default';
}

function drupalTree(
  webRoot: string,
  variant: 'drupal7' | 'drupal8',
  o: TreeOptions,
  evidence: string[],
): CmsTree {
  const notes: string[] = [];
  const site = drupalSiteDir(webRoot, o.host, o.port, notes);
  const siteDir = join(webRoot, 'sites', site);
  const settingsPhp = join(siteDir, 'settings.php');
  const cmsSettingsFiles = [settingsPhp, join(siteDir, 'settings.local.php')].filter(isFile);
  let publicPath = `sites/${site}/files`;
  let privatePath: string | null = null;
  if (isFile(settingsPhp)) {
    const vars = new Map<string, PhpValue>([
      ['app_root', webRoot],
      ['site_path', `sites/${site}`],
    ]);
    const r = readQuietly(settingsPhp, notes, {
      variables: vars,
      constants: new Map([['DRUPAL_ROOT', webRoot]]),
      httpHost: o.host,
    });
    if (r) {
      const bag = variant === 'drupal7' ? 'conf' : 'settings';
      publicPath = str(lookup(r.variables, bag, 'file_public_path')) ?? publicPath;
      privatePath = str(lookup(r.variables, bag, 'file_private_path'));
      notes.push(...r.notes.map((n) => `settings.php: ${n}`));
    }
  }
  const filesAbs = isAbsolute(publicPath) ? publicPath : join(webRoot, publicPath);
  const privAbs = privatePath ? (isAbsolute(privatePath) ? privatePath : join(webRoot, privatePath)) : null;
  const tree: CmsTree = {
    cms: 'drupal',
    variant,
    webRoot,
    evidence: [...evidence, `site dir sites/${site}`],
    settingsCandidates: [join(siteDir, 'civicrm.settings.php')],
    cmsSettingsFiles,
    filesRoot: join(filesAbs, 'civicrm'),
    filesUrl: `${publicPath.replace(/^\/+|\/+$/g, '')}/civicrm`,
    mounts: [],
    notes,
  };
  // Drupal may keep CiviCRM's private parts under its private file path (SPEC §4).
  if (privAbs && isDir(join(privAbs, 'civicrm'))) tree.privateRoot = join(privAbs, 'civicrm');
  return tree;
}

function backdropTree(webRoot: string, o: TreeOptions, evidence: string[]): CmsTree {
  const notes: string[] = [];
  const settingsPhp = join(webRoot, 'settings.php');
  let publicPath = 'files';
  let privatePath: string | null = null;
  if (isFile(settingsPhp)) {
    const r = readQuietly(settingsPhp, notes, {
      constants: new Map([['BACKDROP_ROOT', webRoot]]),
      httpHost: o.host,
    });
    if (r) {
      publicPath =
        str(lookup(r.variables, 'settings', 'file_public_path')) ??
        str(lookup(r.variables, 'config', 'system.core', 'file_public_path')) ??
        publicPath;
      privatePath =
        str(lookup(r.variables, 'settings', 'file_private_path')) ??
        str(lookup(r.variables, 'config', 'system.core', 'file_private_path'));
    }
  }
  const filesAbs = isAbsolute(publicPath) ? publicPath : join(webRoot, publicPath);
  const privAbs = privatePath ? (isAbsolute(privatePath) ? privatePath : join(webRoot, privatePath)) : null;
  const tree: CmsTree = {
    cms: 'backdrop',
    variant: 'backdrop',
    webRoot,
    evidence,
    settingsCandidates: [join(webRoot, 'civicrm.settings.php')],
    cmsSettingsFiles: [settingsPhp, join(webRoot, 'settings.local.php')].filter(isFile),
    filesRoot: join(filesAbs, 'civicrm'),
    filesUrl: `${publicPath.replace(/^\/+|\/+$/g, '')}/civicrm`,
    mounts: [],
    notes,
  };
  if (privAbs && isDir(join(privAbs, 'civicrm'))) tree.privateRoot = join(privAbs, 'civicrm');
  return tree;
}

function wordpressTree(webRoot: string, o: TreeOptions, evidence: string[]): CmsTree {
  const notes: string[] = [];
  const configCandidates = [join(webRoot, 'wp-config.php'), join(dirname(webRoot), 'wp-config.php')];
  const wpConfig = configCandidates.find(isFile) ?? null;
  const cmsSettingsFiles: string[] = [];
  let constants = new Map<string, PhpValue>([['ABSPATH', `${webRoot}/`]]);
  if (wpConfig) {
    let text = '';
    try {
      text = readFileSync(wpConfig, 'utf8').slice(0, 256 * 1024);
    } catch (e) {
      notes.push(`${wpConfig}: ${describeError(e)}`);
    }
    // Debian's wp-config.php only loads /etc/wordpress/config-<host>.php (host from the request).
    if (text.includes('/etc/wordpress/config-')) {
      const etc = o.debianWordpressEtc ?? '/etc/wordpress';
      const h = o.host.toLowerCase().replace(/[^a-z0-9.-]/g, '');
      const main = h.replace(/^[^.]*\./, '');
      const hostFile = [`config-${h}.php`, `config-${main}.php`, 'config-default.php']
        .map((f) => join(etc, f))
        .find(isFile);
      evidence.push("Debian's wordpress package layout");
      notes.push(
        `${wpConfig} is Debian's loader (no secrets); the settings are in ${o.debianWordpressEtc ?? '/etc/wordpress'}`,
      );
      if (hostFile) {
        cmsSettingsFiles.push(hostFile);
        const r = readQuietly(hostFile, notes, { httpHost: o.host, skipInclude: /wp-settings\.php$/ });
        if (r) constants = new Map([...r.constants]);
      } else notes.push(`no ${etc}/config-${h}.php (nor config-${main}.php, config-default.php)`);
      constants.delete('ABSPATH');
    }
    if (!text.includes('/etc/wordpress/config-')) cmsSettingsFiles.push(wpConfig);
    const r = readQuietly(wpConfig, notes, {
      constants,
      httpHost: o.host,
      skipInclude: /wp-(settings|load)\.php$/,
    });
    if (r) constants = r.constants;
  } else notes.push('no wp-config.php found beside or above the web root');
  const contentDir = str(constants.get('WP_CONTENT_DIR')) ?? join(webRoot, 'wp-content');
  const contentUrl = str(constants.get('WP_CONTENT_URL')) ?? 'wp-content';
  const uploadsRel = str(constants.get('UPLOADS'));
  const uploadsDir = uploadsRel ? join(webRoot, uploadsRel) : join(contentDir, 'uploads');
  const uploadsUrl = uploadsRel
    ? uploadsRel.replace(/^\/+|\/+$/g, '')
    : `${contentUrl.replace(/\/+$/, '')}/uploads`;
  const oldFiles = join(contentDir, 'plugins', 'files', 'civicrm');
  const useOld = !isDir(join(uploadsDir, 'civicrm')) && isDir(oldFiles);
  const mounts: WebMount[] = [];
  if (resolve(contentDir) !== join(webRoot, 'wp-content'))
    mounts.push({ path: contentDir, url: contentUrl, why: 'WP_CONTENT_DIR is served as the content URL' });
  if (uploadsRel) mounts.push({ path: uploadsDir, url: uploadsUrl, why: 'UPLOADS' });
  return {
    cms: 'wordpress',
    variant: 'wordpress',
    webRoot,
    evidence,
    settingsCandidates: [
      join(uploadsDir, 'civicrm', 'civicrm.settings.php'),
      join(contentDir, 'plugins', 'civicrm', 'civicrm.settings.php'),
    ],
    cmsSettingsFiles,
    filesRoot: useOld ? oldFiles : join(uploadsDir, 'civicrm'),
    filesUrl: useOld ? `${contentUrl.replace(/\/+$/, '')}/plugins/files/civicrm` : `${uploadsUrl}/civicrm`,
    mounts,
    notes,
  };
}

function joomlaTree(webRoot: string, evidence: string[]): CmsTree {
  return {
    cms: 'joomla',
    variant: 'joomla',
    webRoot,
    evidence,
    settingsCandidates: [
      join(webRoot, 'administrator', 'components', 'com_civicrm', 'civicrm.settings.php'),
      join(webRoot, 'components', 'com_civicrm', 'civicrm.settings.php'),
    ],
    cmsSettingsFiles: [join(webRoot, 'configuration.php')].filter(isFile),
    filesRoot: join(webRoot, 'media', 'civicrm'),
    filesUrl: 'media/civicrm',
    mounts: [],
    notes: [],
  };
}

function standaloneTree(webRoot: string, evidence: string[]): CmsTree {
  return {
    cms: 'standalone',
    variant: 'standalone',
    webRoot,
    evidence,
    settingsCandidates: [join(webRoot, 'private', 'civicrm.settings.php')],
    cmsSettingsFiles: [],
    filesRoot: join(webRoot, 'public'),
    filesUrl: 'public',
    privateRoot: join(webRoot, 'private'),
    mounts: [],
    notes: [],
  };
}

interface Marker {
  variant: CmsVariant;
  files: string[];
  why: string;
  /** Optional content test on the first file. */
  contains?: RegExp;
}

const MARKERS: Marker[] = [
  { variant: 'standalone', files: ['civicrm.standalone.php'], why: 'civicrm.standalone.php' },
  {
    variant: 'wordpress',
    files: ['wp-includes/version.php', 'wp-settings.php'],
    why: 'wp-includes/version.php, wp-settings.php',
  },
  {
    variant: 'joomla',
    files: ['libraries/src/Version.php', 'administrator/index.php'],
    why: 'Joomla libraries/src/Version.php',
  },
  {
    variant: 'joomla',
    files: ['libraries/cms/version/version.php', 'administrator/index.php'],
    why: 'Joomla 3 libraries/cms',
  },
  {
    variant: 'backdrop',
    files: ['core/includes/bootstrap.inc'],
    contains: /BACKDROP_VERSION/,
    why: 'core/includes/bootstrap.inc (Backdrop)',
  },
  { variant: 'drupal8', files: ['core/lib/Drupal.php'], why: 'core/lib/Drupal.php' },
  {
    variant: 'drupal7',
    files: ['includes/bootstrap.inc', 'modules/system/system.module'],
    why: 'includes/bootstrap.inc, modules/system',
  },
  {
    variant: 'standalone',
    files: ['private/civicrm.settings.php'],
    contains: /Standalone/i,
    why: "private/civicrm.settings.php with CIVICRM_UF 'Standalone'",
  },
];

function matches(dir: string, m: Marker): boolean {
  if (!m.files.every((f) => isFile(join(dir, f)))) return false;
  if (!m.contains) return true;
  try {
    return m.contains.test(readFileSync(join(dir, m.files[0]!), 'utf8').slice(0, 64 * 1024));
  } catch {
    return false;
  }
}

/**
 * Recognises the CMS under `root` (or its composer docroot `web/`, `docroot/`). Returns null when no
 * CMS is recognised: the caller reports that the root is not a CiviCRM web root.
 */
export function detectCmsTree(root: string, o: TreeOptions, forced?: CmsName | 'auto'): CmsTree | null {
  const dirs = [
    root,
    join(root, 'web'),
    join(root, 'docroot'),
    join(root, 'public_html'),
    join(root, 'htdocs'),
  ];
  for (const dir of dirs) {
    for (const m of MARKERS) {
      if (forced && forced !== 'auto' && !m.variant.startsWith(forced)) continue;
      if (!matches(dir, m)) continue;
      const evidence = [m.why + (dir !== root ? ` in ${basename(dir)}/` : '')];
      switch (m.variant) {
        case 'drupal7':
        case 'drupal8':
          return drupalTree(dir, m.variant, o, evidence);
        case 'backdrop':
          return backdropTree(dir, o, evidence);
        case 'wordpress':
          return wordpressTree(dir, o, evidence);
        case 'joomla':
          return joomlaTree(dir, evidence);
        case 'standalone':
          return standaloneTree(dir, evidence);
      }
    }
  }
  return null;
}

export { isDir, isFile, existsSync };
