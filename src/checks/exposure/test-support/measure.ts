/**
 * Measures the exposure probe: requests made and wall time per site kind, median of 5 runs.
 *   node --import tsx src/checks/exposure/test-support/measure.ts
 * Sites: Debian nginx bad.test / good.test (when nginx is installed) and node https fakes (catch-all,
 * CMS unknown and Drupal; a slow site with 50 ms per answer).
 */
import { buildTarget } from '../../../audit/build-target.js';
import type { CmsName, TargetInput } from '../../../core/target.js';
import { runChecks } from '../../../core/runner.js';
import { exposureProbe } from '../../../probes/exposure/index.js';
import { startNginxSites } from '../../../test-support/nginx-sites.js';
import { nginxAvailable } from '../../../test-support/servers/nginx.js';
import { exposureChecks } from '../index.js';
import type { FakeSiteOptions } from './fake-site.js';
import { startFakeSite } from './fake-site.js';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(name: string, input: TargetInput): Promise<void> {
  const ms: number[] = [];
  let requests = 0;
  let summary = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const out = await runChecks(buildTarget(input), exposureChecks);
    ms.push(performance.now() - t0);
    const f = out.fact(exposureProbe);
    requests = f?.ok ? f.value.requests : -1;
    const count = (s: string) => out.results.filter((r) => r.status === s).length;
    summary = `fail ${count('fail')} error ${count('error')} pass ${count('pass')} skip ${count('skip')}`;
  }
  console.log(
    `${name.padEnd(34)} ${String(requests).padStart(4)} requests  ${median(ms).toFixed(0).padStart(5)} ms  (${summary})`,
  );
}

async function fake(name: string, opts: FakeSiteOptions, cms?: CmsName): Promise<void> {
  const site = await startFakeSite(opts);
  try {
    await measure(name, {
      url: site.url,
      httpUrl: `http://site.test:${site.port}/`,
      resolve: [site.resolve],
      cms,
    });
  } finally {
    await site.stop();
  }
}

if (nginxAvailable()) {
  const sites = await startNginxSites();
  try {
    await measure('nginx bad.test (Drupal)', sites.inputs('bad.test'));
    await measure('nginx good.test (Drupal)', sites.inputs('good.test'));
  } finally {
    await sites.stop();
  }
}
await fake('catch-all 200, CMS unknown', { catchAll: true });
await fake('catch-all 200, --cms drupal', { catchAll: true }, 'drupal');
await fake('all 404, CMS unknown', {});
await fake('all 404, 50 ms per answer, drupal', { delayMs: () => 50 }, 'drupal');
