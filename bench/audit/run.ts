// `npm run bench:audit`: the audit benchmarks in turn (each prints its own table).
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const benches = ['testssl', 'observatory'];
let failed = 0;
for (const name of benches) {
  const script = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(script)) continue;
  console.log(`-- audit/${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script.pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
