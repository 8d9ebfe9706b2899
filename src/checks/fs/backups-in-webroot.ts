import { defineCheck } from '../../core/check.js';
import { KIND_FILE, insideAny } from '../../probes/local/fs-walk.js';
import { layoutProbe } from '../../probes/local/layout.js';
import { siteTreeProbe } from '../../probes/local/site-tree.js';

/** Database dumps and archives by name. Pre-compressed web assets (app.js.gz) and rotated CiviCRM logs are not. */
export const DUMP_OR_ARCHIVE =
  /\.(sql|mysql|dump|sql\.(gz|bz2|xz|zst|zip|7z)|tar|tar\.(gz|bz2|xz|zst|lz4)|tgz|tbz2?|txz|zip|7z|rar|gz|bz2|xz|zst|bak\.sql)$/i;
const ASSET = /\.(js|mjs|css|svg|html?|json|map|txt|xml|wasm|ttf|otf|eot|woff2?|ico)\.(gz|br|zst)$/i;
const ROTATED_LOG = /\.log(\.[\w-]+)*\.(gz|bz2|xz|zst)$/i;
const MAX_LISTED = 50;

export function isDumpOrArchive(name: string): boolean {
  return DUMP_OR_ARCHIVE.test(name) && !ASSET.test(name) && !ROTATED_LOG.test(name);
}

export default defineCheck({
  id: 'fs.backups-in-webroot',
  area: 'fs',
  title: 'Database dumps or archives under the web root',
  severity: 'critical',
  seed: 'Backups and their security',
  description:
    'Lists every database dump and archive (*.sql, *.sql.gz, *.dump, *.tar.gz, *.tgz, *.zip, *.7z, *.rar, …) under the document root and under the dirs the web server serves through an alias. A dump there holds every contact, and a guessable name is all it takes to download it.',
  remediation:
    'Move dumps and archives out of every served tree (e.g. to /var/backups with mode 600) or delete them, and make the backup job write elsewhere (`civiguard backup` stores encrypted snapshots outside the web root).',
  references: ['https://docs.civicrm.org/sysadmin/en/latest/setup/backup-restore/'],
  outcomes: {},
  probes: { layout: layoutProbe, tree: siteTreeProbe },
  mode: 'local',
  run({ layout, tree }) {
    const t = tree.table;
    const found: { path: string; size: number }[] = [];
    let count = 0;
    let files = 0;
    const served = insideAny(layout.servedRoots);
    for (let i = 0; i < t.count; i++) {
      if (t.kind[i] !== KIND_FILE) continue;
      const p = t.paths[i]!;
      if (!served(p)) continue;
      files++;
      if (!isDumpOrArchive(p.slice(p.lastIndexOf('/') + 1))) continue;
      count++;
      if (found.length < MAX_LISTED) found.push({ path: p, size: t.size[i]! });
    }
    const where = layout.servedRoots.join(', ');
    if (count) {
      const biggest = [...found].sort((a, b) => b.size - a.size)[0]!;
      return [
        {
          status: 'fail',
          message: `${count} dump/archive files under the served trees (${where}), e.g. ${biggest.path} (${biggest.size} bytes)`,
          evidence: { count, files: found },
        },
      ];
    }
    if (tree.truncated)
      return [
        {
          status: 'skip',
          message: `no dumps among the ${files} files seen, but the walk stopped at ${t.count} entries`,
        },
      ];
    return [
      {
        status: 'pass',
        message: `no dumps or archives among ${files} files under ${where}${tree.errorCount ? ` (${tree.errorCount} paths unreadable)` : ''}`,
        evidence: { files, roots: layout.servedRoots },
      },
    ];
  },
});
