// `npm run bench`: every benchmark in turn (audit vs testssl.sh/Observatory, IDS vs corpora/CRS, backup vs restic/borg).
// Each prints its own table with ratios; pass names to run a subset: npm run bench -- ids backup
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const all = ['audit', 'ids', 'backup'];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of chosen) {
  const script = new URL(`./${name}/run.ts`, import.meta.url);
  if (!existsSync(script)) {
    console.log(`== ${name}: no benchmark yet`);
    continue;
  }
  console.log(`== ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script.pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
