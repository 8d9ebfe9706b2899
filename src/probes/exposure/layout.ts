/**
 * Where CiviCRM keeps its data, settings and code under each CMS (SPEC §4), as URL paths relative to
 * the site base. Pure data: the plan (plan.ts) turns it into requests.
 */
import type { DirRole, LayoutName } from './types.js';

export interface DataRoot {
  /** The data root itself (`sites/default/files/civicrm/`). */
  root: string;
  /** The CMS's own files dir around it, which must not be listed either (null: none). */
  cmsFiles: string | null;
  /** Directory per role, full paths from the base. */
  dirs: Partial<Record<Exclude<DirRole, 'data-root' | 'cms-files'>, string>>;
  /**
   * Primary roots are always probed in depth. Secondary ones (Drupal's host-named site dir, WordPress's
   * pre-4.7 location) only when their root or files dir shows a sign of life, to keep the request count low.
   */
  primary: boolean;
}

export interface SettingsFile {
  path: string;
  /** Editor/backup copies are tried for every settings file of a known CMS, for primary ones only when it is unknown. */
  primary: boolean;
}

export interface Layout {
  name: LayoutName;
  dataRoots(host: string | null): DataRoot[];
  settings(host: string | null): SettingsFile[];
  /** CiviCRM's code dir (holds `packages/`, `vendor/`), where legacy unsafe scripts lived. */
  codeRoots: string[];
  /** Installer entry points that must not offer an installation on a live site. */
  installers: string[];
}

/** The classic data dir layout (Drupal, Backdrop, WordPress, Joomla). */
function classic(root: string, cmsFiles: string | null, primary: boolean): DataRoot {
  return {
    root,
    cmsFiles,
    primary,
    dirs: {
      upload: `${root}upload/`,
      custom: `${root}custom/`,
      log: `${root}ConfigAndLog/`,
      templates: `${root}templates_c/`,
      images: `${root}persist/contribute/`,
      ext: `${root}ext/`,
    },
  };
}

/** A host name usable as a Drupal site dir (not an IP literal). */
export function siteDirName(host: string): string | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!h || /^[\d.]+$/.test(h) || h.includes(':') || !/^[a-z0-9.-]+$/.test(h) || h === 'default') return null;
  return h;
}

export const LAYOUTS: Record<LayoutName, Layout> = {
  drupal: {
    name: 'drupal',
    dataRoots: (host) => [
      classic('sites/default/files/civicrm/', 'sites/default/files/', true),
      ...(host ? [classic(`sites/${host}/files/civicrm/`, `sites/${host}/files/`, false)] : []),
    ],
    settings: (host) => [
      { path: 'sites/default/civicrm.settings.php', primary: true },
      { path: 'sites/default/settings.php', primary: true },
      ...(host
        ? [
            { path: `sites/${host}/civicrm.settings.php`, primary: false },
            { path: `sites/${host}/settings.php`, primary: false },
          ]
        : []),
    ],
    codeRoots: ['sites/all/modules/civicrm/'],
    installers: ['sites/all/modules/civicrm/install/index.php', 'install.php', 'core/install.php'],
  },
  backdrop: {
    name: 'backdrop',
    dataRoots: () => [classic('files/civicrm/', 'files/', true)],
    settings: () => [
      { path: 'civicrm.settings.php', primary: false },
      { path: 'settings.php', primary: true },
    ],
    codeRoots: ['modules/civicrm/'],
    installers: ['modules/civicrm/install/index.php', 'core/install.php'],
  },
  wordpress: {
    name: 'wordpress',
    dataRoots: () => [
      classic('wp-content/uploads/civicrm/', 'wp-content/uploads/', true),
      classic('wp-content/plugins/files/civicrm/', 'wp-content/plugins/files/', false),
    ],
    settings: () => [
      { path: 'wp-config.php', primary: true },
      { path: 'wp-content/uploads/civicrm/civicrm.settings.php', primary: false },
      { path: 'wp-content/plugins/civicrm/civicrm.settings.php', primary: false },
    ],
    codeRoots: ['wp-content/plugins/civicrm/civicrm/'],
    installers: ['wp-content/plugins/civicrm/civicrm/install/index.php', 'wp-admin/install.php'],
  },
  joomla: {
    name: 'joomla',
    dataRoots: () => [classic('media/civicrm/', 'media/', true)],
    settings: () => [
      { path: 'configuration.php', primary: true },
      { path: 'administrator/components/com_civicrm/civicrm.settings.php', primary: false },
      { path: 'components/com_civicrm/civicrm.settings.php', primary: false },
    ],
    codeRoots: ['administrator/components/com_civicrm/civicrm/'],
    installers: ['administrator/components/com_civicrm/civicrm/install/index.php', 'installation/index.php'],
  },
  standalone: {
    name: 'standalone',
    // CiviCRM's Standalone installer: private/{tmp,attachment,log,cache}, public/media, ext/.
    dataRoots: () => [
      {
        root: 'private/',
        cmsFiles: null,
        primary: true,
        dirs: {
          upload: 'private/tmp/',
          custom: 'private/attachment/',
          log: 'private/log/',
          templates: 'private/cache/',
        },
      },
      { root: 'public/', cmsFiles: null, primary: true, dirs: { images: 'public/media/', ext: 'ext/' } },
    ],
    settings: () => [{ path: 'private/civicrm.settings.php', primary: true }],
    codeRoots: ['core/'],
    installers: [],
  },
};

/** Editor and backup copies of a settings file (`settings.php~`, `.settings.php.swp`, …). */
export function settingsCopies(path: string): string[] {
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash + 1);
  const name = path.slice(slash + 1);
  return [
    `${path}~`,
    `${path}.bak`,
    `${path}.orig`,
    `${path}.save`,
    `${path}.old`,
    `${path}.txt`,
    `${dir}.${name}.swp`,
  ];
}

/** Paths of legacy scripts CiviCRM's own status check says must be deleted (checkFilesAreNotPresent). */
export function legacyScripts(codeRoot: string): { path: string; tag: 'dompdf' | 'ofc-upload' }[] {
  return [
    { path: `${codeRoot}packages/dompdf/dompdf.php`, tag: 'dompdf' },
    { path: `${codeRoot}packages/vendor/dompdf/dompdf/dompdf.php`, tag: 'dompdf' },
    { path: `${codeRoot}vendor/dompdf/dompdf/dompdf.php`, tag: 'dompdf' },
    { path: `${codeRoot}packages/OpenFlashChart/php-ofc-library/ofc_upload_image.php`, tag: 'ofc-upload' },
  ];
}

export const PHPINFO_PATHS = ['phpinfo.php', 'info.php', 'php_info.php'];

export const VCS_PATHS: { path: string; tag: 'git' | 'svn' | 'hg' }[] = [
  { path: '.git/HEAD', tag: 'git' },
  { path: '.git/config', tag: 'git' },
  { path: '.svn/entries', tag: 'svn' },
  { path: '.svn/wc.db', tag: 'svn' },
  { path: '.hg/requires', tag: 'hg' },
];

/** Well-known dump and archive names at the web root; `host` adds `<host>.sql` etc. */
export function backupNames(host: string | null): string[] {
  const names = [
    'backup.sql',
    'backup.sql.gz',
    'backup.zip',
    'backup.tar.gz',
    'backup.tgz',
    'dump.sql',
    'dump.sql.gz',
    'db.sql',
    'db.sql.gz',
    'database.sql',
    'database.sql.gz',
    'civicrm.sql',
    'civicrm.sql.gz',
    'drupal.sql',
    'wordpress.sql',
    'mysql.sql',
    'data.sql',
    'site.tar.gz',
    'site.zip',
    'www.zip',
    'www.tar.gz',
    'public_html.zip',
    'public_html.tar.gz',
  ];
  if (host) {
    const label = host.replace(/^www\./, '').split('.')[0] ?? '';
    const stems = [...new Set([host, label].filter((s) => s.length > 0))];
    for (const s of stems) names.push(`${s}.sql`, `${s}.sql.gz`, `${s}.zip`, `${s}.tar.gz`);
  }
  return names;
}

/** Names in a listing that look like dumps or archives. */
export const BACKUP_NAME = /\.(?:sql(?:\.(?:gz|bz2|xz|zst))?|tar(?:\.(?:gz|bz2|xz|zst))?|tgz|zip|7z|rar)$/i;
