import type { CmsName } from '../../core/target.js';

/** What a sensitive page is for (SPEC §4): who may reach it and why it must be on https. */
export type PageRole = 'login' | 'cms-admin' | 'civicrm-admin' | 'contribute' | 'event-register';

export interface SensitivePage {
  /** Stable slug, used as the result id under the checks that report per page. */
  key: string;
  role: PageRole;
  /** Path and query relative to the site's base URL (no leading slash, so a site in a sub-directory works). */
  path: string;
  title: string;
}

// CiviCRM forms need an id; a missing page still shows whether the path is served over plain http.
const CONTRIBUTE = 'civicrm/contribute/transact&reset=1&id=1';
const EVENT = 'civicrm/event/register&reset=1&id=1';

const civiPath = (route: string) => route.replace('&', '?');

const DRUPAL: SensitivePage[] = [
  { key: 'user-login', role: 'login', path: 'user/login', title: 'CMS login (/user/login)' },
  { key: 'drupal-admin', role: 'cms-admin', path: 'admin', title: 'CMS administration (/admin)' },
  {
    key: 'civicrm-admin',
    role: 'civicrm-admin',
    path: 'civicrm/admin',
    title: 'CiviCRM administration (/civicrm/admin)',
  },
  {
    key: 'contribute',
    role: 'contribute',
    path: civiPath(CONTRIBUTE),
    title: 'contribution / membership page',
  },
  { key: 'event-register', role: 'event-register', path: civiPath(EVENT), title: 'event registration' },
];

const WORDPRESS: SensitivePage[] = [
  { key: 'wp-login', role: 'login', path: 'wp-login.php', title: 'WordPress login (/wp-login.php)' },
  { key: 'wp-admin', role: 'cms-admin', path: 'wp-admin/', title: 'WordPress administration (/wp-admin/)' },
  {
    key: 'wp-civicrm-admin',
    role: 'civicrm-admin',
    path: 'wp-admin/admin.php?page=CiviCRM&q=civicrm/admin',
    title: 'CiviCRM administration (wp-admin/admin.php?page=CiviCRM)',
  },
  {
    key: 'wp-contribute',
    role: 'contribute',
    path: `civicrm/?civiwp=CiviCRM&q=${CONTRIBUTE}`,
    title: 'contribution / membership page (/civicrm/?civiwp=CiviCRM)',
  },
  {
    key: 'wp-event-register',
    role: 'event-register',
    path: `civicrm/?civiwp=CiviCRM&q=${EVENT}`,
    title: 'event registration (/civicrm/?civiwp=CiviCRM)',
  },
  {
    key: 'wp-contribute-page',
    role: 'contribute',
    path: `?page=CiviCRM&q=${CONTRIBUTE}`,
    title: 'contribution / membership page (?page=CiviCRM)',
  },
  {
    key: 'wp-event-register-page',
    role: 'event-register',
    path: `?page=CiviCRM&q=${EVENT}`,
    title: 'event registration (?page=CiviCRM)',
  },
];

const JOOMLA: SensitivePage[] = [
  {
    key: 'joomla-administrator',
    role: 'login',
    path: 'administrator/',
    title: 'Joomla administrator login (/administrator/)',
  },
  {
    key: 'joomla-login',
    role: 'login',
    path: 'index.php?option=com_users&view=login',
    title: 'Joomla site login (com_users)',
  },
  {
    key: 'joomla-civicrm-admin',
    role: 'civicrm-admin',
    path: 'administrator/index.php?option=com_civicrm&task=civicrm/admin',
    title: 'CiviCRM administration (administrator/?option=com_civicrm)',
  },
  {
    key: 'joomla-contribute',
    role: 'contribute',
    path: `index.php?option=com_civicrm&task=${CONTRIBUTE}`,
    title: 'contribution / membership page (option=com_civicrm)',
  },
  {
    key: 'joomla-event-register',
    role: 'event-register',
    path: `index.php?option=com_civicrm&task=${EVENT}`,
    title: 'event registration (option=com_civicrm)',
  },
];

const STANDALONE: SensitivePage[] = [
  {
    key: 'civicrm-login',
    role: 'login',
    path: 'civicrm/login',
    title: 'CiviCRM Standalone login (/civicrm/login)',
  },
  ...DRUPAL.filter((p) => p.role !== 'login' && p.role !== 'cms-admin'),
];

const pick = (list: SensitivePage[], key: string) => list.find((p) => p.key === key)!;

/** Unknown CMS: each CMS's login page plus the clean-URL CiviCRM pages (bounded: 7 requests). */
const GENERIC: SensitivePage[] = [
  pick(DRUPAL, 'user-login'),
  pick(WORDPRESS, 'wp-login'),
  pick(JOOMLA, 'joomla-administrator'),
  pick(STANDALONE, 'civicrm-login'),
  pick(DRUPAL, 'civicrm-admin'),
  pick(DRUPAL, 'contribute'),
  pick(DRUPAL, 'event-register'),
];

const BY_CMS: Record<CmsName, SensitivePage[]> = {
  drupal: DRUPAL,
  backdrop: DRUPAL,
  wordpress: WORDPRESS,
  joomla: JOOMLA,
  standalone: STANDALONE,
  unknown: GENERIC,
};

/** The sensitive pages (SPEC §4) of a CMS, in the URL forms that CMS uses. */
export function sensitivePages(cms: CmsName): readonly SensitivePage[] {
  return BY_CMS[cms];
}

/** Every page key of every CMS: the outcome ids of the checks that report per page. */
export const ALL_SENSITIVE_PAGES: readonly SensitivePage[] = [
  ...new Map(Object.values(BY_CMS).flatMap((list) => list.map((p) => [p.key, p] as const))).values(),
];

/** Base URL for a site's pages: the site URL without query, ending in '/'. */
export function siteBase(url: URL): URL {
  const b = new URL(url.toString());
  b.search = '';
  b.hash = '';
  if (!b.pathname.endsWith('/')) {
    // `/index.php` names a file: its directory is the base; `/site` names the site's directory.
    b.pathname = /\.[A-Za-z0-9]+$/.test(b.pathname) ? b.pathname.replace(/[^/]*$/, '') : `${b.pathname}/`;
  }
  return b;
}

export function pageUrl(base: URL, page: SensitivePage): URL {
  return new URL(page.path, base);
}
