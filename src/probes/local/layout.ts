import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { CiviguardError, describeError } from '../../core/errors.js';
import { FactUnavailable, defineProbe } from '../../core/probe.js';
import type { AuditTarget, CmsName } from '../../core/target.js';
import { defaultPort } from '../net/resolve.js';
import type { CmsTree, CmsVariant, WebMount } from './cms-tree.js';
import { detectCmsTree, isDir, isFile } from './cms-tree.js';
import type { CivicrmSettings, SettingValue } from './settings-file.js';
import { readCivicrmSettings } from './settings-file.js';

/**
 * The CiviCRM layout on disk (SPEC §4): CMS, document root, civicrm.settings.php and what it says,
 * and every CiviCRM data dir with the URLs it would be served at. Read from files only; nothing runs.
 */

export type DirKind = 'upload' | 'custom' | 'log' | 'compile' | 'persist' | 'ext';

/** Dirs that must not be reachable over the web (SPEC §4); persist/ and ext/ may be read, not listed. */
export const PRIVATE_KINDS: readonly DirKind[] = ['upload', 'custom', 'log', 'compile'];

export interface DataDir {
  kind: DirKind;
  /** Absolute path, or null when it depends on an unknown value. */
  path: string | null;
  /** Where the path came from (a setting, a default formula) or why it is unknown. */
  source: string;
  exists: boolean;
  /** Under the document root (by real path). */
  inWebRoot: boolean;
  /** URLs it would be served at, best first: relative ones are under the site URL. */
  urls: string[];
  private: boolean;
  /** A `.htaccess` with a deny rule in the dir or an ancestor up to the document root (Apache only reads it). */
  htaccessDeny: string | null;
}

export interface LogFile {
  path: string;
  size: number;
  mtimeMs: number;
  urls: string[];
}

export interface SiteLayout {
  cms: Exclude<CmsName, 'unknown'>;
  variant: CmsVariant;
  cmsEvidence: string[];
  root: string;
  webRoot: string;
  /** civicrm.settings.php's path when one was found (even if it could not be read). */
  settingsFile: string | null;
  /** civicrm.settings.php facts, or null with the reason in settingsProblem. */
  settings: CivicrmSettings | null;
  settingsProblem: { status: 'skip' | 'error'; reason: string } | null;
  cmsSettingsFiles: string[];
  civicrmRoot: string | null;
  filesRoot: string | null;
  privateRoot: string | null;
  dirs: DataDir[];
  logFiles: LogFile[];
  /** Dirs that hold PHP code (CMS, CiviCRM core, extensions), for fs.code-writable. */
  codeRoots: string[];
  /** Data dirs inside those (CMS files dirs, CiviCRM's files and private dirs): not code. */
  dataRoots: string[];
  /** Trees the web server serves: the document root and its mounts (aliases). */
  servedRoots: string[];
  /** Dirs the web server serves besides the web root (Debian's wp-content alias…). */
  mounts: WebMount[];
  notes: string[];
}

export interface LayoutOptions {
  host: string;
  port: number;
  cms?: CmsName | 'auto';
  debianWordpressEtc?: string;
  /** Max log files listed (newest first). */
  maxLogFiles?: number;
}

const STANDALONE_SUB: Record<DirKind, string> = {
  upload: 'private/tmp',
  custom: 'private/attachment',
  log: 'private/log',
  compile: 'private/cache',
  persist: 'public/media',
  ext: 'ext',
};
const SUB: Record<DirKind, string> = {
  upload: 'upload',
  custom: 'custom',
  log: 'ConfigAndLog',
  compile: 'templates_c',
  persist: 'persist/contribute',
  ext: 'ext',
};
const SETTING_NAME: Partial<Record<DirKind, string>> = {
  upload: 'uploadDir',
  custom: 'customFileUploadDir',
  persist: 'imageUploadDir',
  ext: 'extensionsDir',
};

function real(p0: string): string {
  const p = resolve(p0);
  try {
    return realpathSync(p);
  } catch {
    // Resolve what exists of the path, keep the rest.
    const parent = dirname(p);
    if (parent === p) return p;
    return join(real(parent), p.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
  }
}

function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

const DENY = /^\s*(Deny\s+from\s+all|Require\s+all\s+denied)\b/im;

/** The nearest `.htaccess` with a deny rule, from `dir` up to `webRoot` (only inside it). */
export function findHtaccessDeny(dir: string, webRoot: string): string | null {
  if (!within(dir, webRoot)) return null;
  for (let d = dir; ; d = dirname(d)) {
    const f = join(d, '.htaccess');
    try {
      if (DENY.test(readFileSync(f, 'utf8').slice(0, 64 * 1024))) return f;
    } catch {
      /* none here */
    }
    if (d === webRoot || d === dirname(d)) return null;
  }
}

interface Resolved {
  path: string | null;
  source: string;
}

/** Expands `[civicrm.files]/upload` style tokens. */
function expandTokens(value: string, tokens: Record<string, string | null>): Resolved {
  let unknown: string | null = null;
  const path = value.replace(/\[([a-z.]+)\]/gi, (_m, name: string) => {
    const t = tokens[name];
    if (t === undefined || t === null) {
      unknown = `[${name}] is not known`;
      return '';
    }
    return trimSlash(t);
  });
  if (unknown) return { path: null, source: unknown };
  return { path, source: value };
}

function fromSetting(v: SettingValue | undefined, what: string): Resolved | null {
  if (!v || v.state === 'missing') return null;
  if (v.state === 'unknown') return { path: null, source: `${what} ${v.reason}` };
  return { path: v.value, source: what };
}

/** Candidate URLs of a path: every mount that contains it, plus the CMS's standard URL. */
function urlsFor(path: string | null, mounts: WebMount[], standard: string | null): string[] {
  const out: string[] = [];
  if (path) {
    const sorted = [...mounts].sort((a, b) => b.path.length - a.path.length);
    for (const m of sorted) {
      if (!within(path, m.path)) continue;
      const rel = relative(m.path, path).split(sep).join('/');
      const base = trimSlash(m.url);
      out.push(rel ? (base ? `${base}/${rel}` : rel) : base);
    }
  }
  if (standard) out.push(standard);
  return [...new Set(out.map((u) => `${trimSlash(u)}/`.replace(/^\/+/, '')))];
}

const LOG_NAME = /(^|\.)CiviCRM\..*\.log(\.[\w-]+)*$|^CiviCRM\.log(\.[\w-]+)*$/i;

/** Log files in the log dir: `[prefix.]CiviCRM.[channel.]<hash>.log[.rotation]`, or CIVICRM_LOG_FILE's pattern. */
function findLogFiles(
  dir: string,
  logFile: SettingValue | undefined,
  max: number,
): { dir: string; files: { path: string; size: number; mtimeMs: number }[] } {
  let pattern = LOG_NAME;
  let where = dir;
  if (logFile?.state === 'set' && logFile.value) {
    const v = logFile.value;
    const abs = isAbsolute(v) ? v : join(dir, v);
    where = dirname(abs);
    if (!/\{\{|\[/.test(where)) {
      const base = abs.slice(where.length + 1);
      const rx = base
        .split(/(\{\{[^}]*\}\})/)
        .map((part) => (part.startsWith('{{') ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
      pattern = new RegExp(`^${rx}(\\.[\\w-]+)*$|${LOG_NAME.source}`, 'i');
    } else where = dir;
  }
  const files: { path: string; size: number; mtimeMs: number }[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(where);
  } catch {
    return { dir: where, files };
  }
  for (const name of names.slice(0, 20_000)) {
    if (!pattern.test(name)) continue;
    try {
      const st = statSync(join(where, name));
      if (st.isFile()) files.push({ path: join(where, name), size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      /* vanished */
    }
  }
  files.sort((a, b) => b.mtimeMs - a.mtimeMs);
  return { dir: where, files: files.slice(0, max) };
}

/** Pure discovery from the file system; throws CiviguardError when the root cannot be used at all. */
export function discoverLayout(rootArg: string, o: LayoutOptions): SiteLayout {
  let root: string;
  try {
    root = realpathSync(rootArg);
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new CiviguardError('E_TARGET', `--root ${rootArg}: ${describeError(e)}`);
  }
  const tree: CmsTree | null = detectCmsTree(
    root,
    {
      host: o.host,
      port: o.port,
      ...(o.debianWordpressEtc ? { debianWordpressEtc: o.debianWordpressEtc } : {}),
    },
    o.cms,
  );
  if (!tree) {
    throw new CiviguardError(
      'E_TARGET',
      `--root ${root} is not a CiviCRM web root: no Drupal, Backdrop, WordPress, Joomla or CiviCRM Standalone files found there${o.cms && o.cms !== 'auto' ? ` (--cms ${o.cms})` : ''}`,
    );
  }
  const notes = [...tree.notes];
  const webRoot = real(tree.webRoot);

  // civicrm.settings.php
  let settings: CivicrmSettings | null = null;
  let settingsProblem: SiteLayout['settingsProblem'] = null;
  const settingsFile = tree.settingsCandidates.find(isFile);
  if (!settingsFile) {
    settingsProblem = {
      status: 'skip',
      reason: `no civicrm.settings.php found (looked at ${tree.settingsCandidates.join(', ')})`,
    };
  } else {
    try {
      settings = readCivicrmSettings(settingsFile, { httpHost: o.host });
      notes.push(...settings.notes.map((n) => `civicrm.settings.php: ${n}`));
    } catch (e) {
      settingsProblem = { status: 'error', reason: describeError(e) };
    }
  }

  const paths = settings?.paths ?? {};
  const pathOf = (name: string): Resolved | null => {
    const p = paths[name];
    return fromSetting(p?.path ?? p?.any, `$civicrm_paths['${name}']`);
  };
  const urlOf = (name: string): string | null => {
    const p = paths[name];
    const v = p?.url ?? p?.any;
    return v?.state === 'set' ? v.value : null;
  };

  const tokens: Record<string, string | null> = { 'cms.root': webRoot };
  const cmsRootPath = pathOf('cms.root');
  if (cmsRootPath?.path) tokens['cms.root'] = cmsRootPath.path;
  const civiRoot = pathOf('civicrm.root') ?? fromSetting(settings?.civicrmRoot, '$civicrm_root');
  tokens['civicrm.root'] = civiRoot?.path ? expandTokens(civiRoot.path, tokens).path : null;

  const filesSet = pathOf('civicrm.files');
  const filesRes = filesSet?.path
    ? expandTokens(filesSet.path, tokens)
    : (filesSet ?? { path: tree.filesRoot, source: `${tree.cms} default` });
  tokens['civicrm.files'] = filesRes.path;

  const compileConst = fromSetting(settings?.templateCompileDir, 'CIVICRM_TEMPLATE_COMPILEDIR');
  const privSet = pathOf('civicrm.private');
  let privRes: Resolved;
  if (privSet) privRes = privSet.path ? expandTokens(privSet.path, tokens) : privSet;
  else if (tree.variant !== 'standalone' && compileConst?.path)
    privRes = { path: dirname(trimSlash(compileConst.path)), source: 'dirname(CIVICRM_TEMPLATE_COMPILEDIR)' };
  else if (tree.privateRoot) privRes = { path: tree.privateRoot, source: `${tree.cms} private file path` };
  else privRes = { path: filesRes.path, source: '[civicrm.files]' };
  tokens['civicrm.private'] = privRes.path;

  const resolveKind = (kind: DirKind): Resolved => {
    const standalone = tree.variant === 'standalone';
    if (kind === 'log') {
      const set = pathOf('civicrm.log');
      if (set) return set.path ? expandTokens(set.path, tokens) : set;
      return standalone
        ? expandTokens('[civicrm.private]/log', tokens)
        : expandTokens('[civicrm.private]/ConfigAndLog', tokens);
    }
    if (kind === 'compile') {
      if (compileConst) return compileConst;
      const set = pathOf('civicrm.compile');
      if (set) return set.path ? expandTokens(set.path, tokens) : set;
      return expandTokens(standalone ? '[civicrm.private]/cache' : '[civicrm.private]/templates_c', tokens);
    }
    const name = SETTING_NAME[kind]!;
    const ov = settings?.overrides[name];
    if (ov && ov.state === 'unknown') return { path: null, source: `$civicrm_setting ${name}: ${ov.reason}` };
    if (ov && ov.state === 'set' && typeof ov.value === 'string' && ov.value)
      return { ...expandTokens(ov.value, tokens), source: `$civicrm_setting ${name}` };
    if (standalone) return expandTokens(`[cms.root]/${STANDALONE_SUB[kind]}`, tokens);
    return expandTokens(`[civicrm.files]/${SUB[kind]}`, tokens);
  };

  const mounts: WebMount[] = [
    { path: webRoot, url: '', why: 'document root' },
    ...tree.mounts.map((m) => ({ ...m, path: real(m.path) })),
  ];
  const filesUrl = urlOf('civicrm.files');
  if (filesRes.path && filesUrl)
    mounts.push({ path: real(filesRes.path), url: filesUrl, why: "$civicrm_paths['civicrm.files']['url']" });

  const standardUrl = (kind: DirKind): string => {
    if (tree.variant === 'standalone') return STANDALONE_SUB[kind];
    return `${tree.filesUrl}/${SUB[kind]}`;
  };

  const dirs: DataDir[] = (['upload', 'custom', 'log', 'compile', 'persist', 'ext'] as DirKind[]).map(
    (kind) => {
      const r = resolveKind(kind);
      const abs = r.path ? real(isAbsolute(r.path) ? r.path : join(webRoot, r.path)) : null;
      return {
        kind,
        path: abs,
        source: r.source,
        exists: abs ? isDir(abs) : false,
        inWebRoot: abs ? within(abs, webRoot) : false,
        urls: urlsFor(abs, mounts, standardUrl(kind)),
        private: PRIVATE_KINDS.includes(kind),
        htaccessDeny: abs ? findHtaccessDeny(abs, webRoot) : null,
      };
    },
  );

  const logDir = dirs.find((d) => d.kind === 'log')!;
  const logFiles: LogFile[] = [];
  if (logDir.path) {
    const found = findLogFiles(logDir.path, settings?.logFile, o.maxLogFiles ?? 50);
    for (const f of found.files) {
      const rel = relative(logDir.path, f.path).split(sep).join('/');
      const dirUrls = found.dir === logDir.path ? logDir.urls : urlsFor(real(found.dir), mounts, null);
      const name = found.dir === logDir.path ? rel : f.path.slice(found.dir.length + 1);
      logFiles.push({ ...f, urls: dirUrls.map((u) => `${u}${encodeURIComponent(name)}`) });
    }
  }

  const civicrmRoot = tokens['civicrm.root'] ? real(tokens['civicrm.root']) : null;
  const ext = dirs.find((d) => d.kind === 'ext');
  const codeRoots = [webRoot];
  if (civicrmRoot && !within(civicrmRoot, webRoot)) codeRoots.push(civicrmRoot);
  if (ext?.path && ext.exists && !codeRoots.some((c) => within(ext.path!, c))) codeRoots.push(ext.path);

  const dataRoots = new Set<string>();
  const filesRootReal = filesRes.path ? real(filesRes.path) : null;
  if (filesRootReal) {
    dataRoots.add(filesRootReal);
    // The CMS's public files dir that holds civicrm/ (Drupal files/, WordPress uploads/).
    if (/\/civicrm$/.test(filesRootReal)) dataRoots.add(dirname(filesRootReal));
  }
  if (privRes.path) dataRoots.add(real(privRes.path));
  for (const d of dirs) if (d.path && d.kind !== 'ext') dataRoots.add(d.path);
  if (tree.variant === 'joomla')
    for (const d of ['images', 'tmp', 'cache', 'logs', 'administrator/cache', 'administrator/logs'])
      dataRoots.add(join(webRoot, d));
  if (tree.variant === 'standalone') for (const d of ['private', 'public']) dataRoots.add(join(webRoot, d));

  return {
    cms: tree.cms,
    variant: tree.variant,
    cmsEvidence: tree.evidence,
    root,
    webRoot,
    settingsFile: settingsFile ?? null,
    settings,
    settingsProblem,
    cmsSettingsFiles: tree.cmsSettingsFiles,
    civicrmRoot,
    filesRoot: filesRes.path ? real(filesRes.path) : null,
    privateRoot: privRes.path ? real(privRes.path) : null,
    dirs,
    logFiles,
    codeRoots,
    dataRoots: [...dataRoots],
    servedRoots: [...new Set(mounts.map((m) => m.path))],
    mounts,
    notes,
  };
}

/** `--root` is required: without it the local checks skip. */
export const layoutProbe = defineProbe<SiteLayout>({
  name: 'site layout (--root)',
  async run(ctx) {
    const t: AuditTarget = ctx.target;
    if (!t.root)
      throw new FactUnavailable('skip', 'local check: needs --root DIR (run civiguard on the server)');
    try {
      return discoverLayout(t.root, {
        host: t.url.hostname,
        port: defaultPort(t.url),
        cms: t.cms,
      });
    } catch (e) {
      throw new FactUnavailable('error', describeError(e));
    }
  },
});

export { resolve as resolvePath, within };
