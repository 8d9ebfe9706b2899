import type { CmsName } from '../../core/target.js';
import type { Listing } from './listing.js';

/** The CMS layouts whose CiviCRM paths the probe knows (SPEC §4). */
export type LayoutName = Exclude<CmsName, 'unknown'>;

/**
 * What a directory is for. `upload`, `custom`, `log` (ConfigAndLog / private/log) and `templates`
 * (templates_c / private/cache) must not be web-reachable; `images` (persist/contribute),
 * `ext`, the data root and the CMS files dir may be read but must not be listed.
 */
export type DirRole =
  'data-root' | 'upload' | 'custom' | 'log' | 'templates' | 'images' | 'ext' | 'cms-files';

export const PRIVATE_ROLES = ['upload', 'custom', 'log', 'templates'] as const;
export type PrivateRole = (typeof PRIVATE_ROLES)[number];

/** Why a URL was requested. */
export type ItemGroup =
  /** A directory URL (trailing slash): is a listing served? */
  | 'dir'
  /** A file CiviCRM itself writes into a private dir (`.htaccess`, `Config.IDS.ini`): downloads only if the dir is open. */
  | 'sentinel'
  /** A guessed log file name (`CiviCRM.log`). */
  | 'log-guess'
  /** A file named by a served listing, fetched to prove that it downloads. */
  | 'listed'
  /** A settings file at its standard path. */
  | 'settings'
  /** An editor or backup copy of a settings file. */
  | 'settings-copy'
  | 'vcs'
  | 'backup'
  | 'unsafe'
  /** A static asset of the CiviCRM code dir, requested to learn whether that code dir exists (unknown CMS). */
  | 'code-root';

export type UnsafeTag = 'phpinfo' | 'dompdf' | 'ofc-upload' | 'installer';
export type VcsTag = 'git' | 'svn' | 'hg';

export interface PlanItem {
  /** Relative to the site base, no leading slash; directories end with `/`. */
  path: string;
  group: ItemGroup;
  /** The CMS layout that suggested this path (null: layout-independent, e.g. `/.git/HEAD`). */
  layout: LayoutName | null;
  /** For dir / sentinel / log-guess / listed items: the role of the directory concerned. */
  role?: DirRole;
  /** For items of a data dir: the data root they belong to. */
  root?: string;
  /** vcs: git|svn|hg; unsafe: phpinfo|dompdf|ofc-upload|installer; backup: 'listed' when a listing named it. */
  tag?: string;
  /** settings-copy: the path of the original settings file. */
  of?: string;
}

/** An HTTP answer, capped: only the first bytes are kept (4 KiB of a file, 256 KiB of a directory page). */
export interface Answer {
  status: number;
  contentType: string | null;
  /** Total size when the server said (Content-Range total or Content-Length), else null. */
  size: number | null;
  location: string | null;
  body: Buffer;
  truncated: boolean;
}

export interface ProbedItem extends PlanItem {
  url: string;
  /** Null when the request failed or was not made. */
  answer: Answer | null;
  /** Why there is no answer: the request failed (timeout, reset) or was not made (budget). */
  error: string | null;
  /** For directories: the parsed autoindex page, when the answer is one. */
  listing: Listing | null;
  /**
   * Soft-404 reference: the answer to a random, nonexistent name beside this one (same directory, same
   * suffix). Fetched whenever the item answered something other than 404/410/3xx; null otherwise or
   * when that request failed.
   */
  baseline: Baseline | null;
}

/** The answer to a random nonexistent name, and that name's path. */
export interface Baseline extends Answer {
  path: string;
}

export interface ExposureFacts {
  /** The URL every path is relative to. */
  base: string;
  /** The CMS the plan was made for (`unknown`: every layout, bounded). */
  cms: CmsName;
  layouts: LayoutName[];
  items: ProbedItem[];
  /** Requests made, baselines and listing samples included. */
  requests: number;
  durationMs: number;
  /** Why probing stopped before the plan was done (time or request budget), or null. */
  stopped: string | null;
}
