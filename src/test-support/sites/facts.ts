import { defineCheck } from '../../core/check.js';
import type { Probe, ProbeOutcome } from '../../core/probe.js';
import { runChecks } from '../../core/runner.js';
import type { AuditTarget } from '../../core/target.js';
import type { WalkResult } from '../../probes/local/fs-walk.js';
import { walkTrees } from '../../probes/local/fs-walk.js';
import type { SiteLayout } from '../../probes/local/layout.js';
import { discoverLayout } from '../../probes/local/layout.js';
import type { Account, WebServerFacts } from '../../probes/local/web-user.js';
import type { SiteFixture } from './index.js';

/** The facts the local probes would gather on a fixture, from the real discovery and walk code. */
export async function localFacts(
  fx: SiteFixture,
  o: { host?: string; debianWordpressEtc?: string } = {},
): Promise<{ layout: SiteLayout; tree: WalkResult }> {
  const layout = discoverLayout(fx.root, {
    host: o.host ?? 'site.test',
    port: 443,
    ...(o.debianWordpressEtc ? { debianWordpressEtc: o.debianWordpressEtc } : {}),
  });
  const tree = await walkTrees([...layout.codeRoots, ...layout.servedRoots]);
  return { layout, tree };
}

/** A webServerProbe outcome with one PHP user (uid/gid given), as --web-user would give. */
export function phpUser(
  name: string,
  uid: number,
  gids: number[] = [uid],
  servers: WebServerFacts['servers'] = ['nginx', 'php-fpm'],
): ProbeOutcome<WebServerFacts> {
  const a: Account = { name, uid, gids, source: '--web-user' };
  return {
    ok: true,
    value: { servers, phpUsers: [a], readers: [], method: 'override', notes: [] },
    durationMs: 1,
  };
}

/** Runs one probe through the real runner (timeouts, abort, dispose) and returns its outcome. */
export async function probeOutcome<T>(
  probe: Probe<T>,
  target: AuditTarget,
  signal?: AbortSignal,
): Promise<ProbeOutcome<T>> {
  const check = defineCheck({
    id: 'test.probe',
    area: 'fs',
    title: 'probe runner',
    severity: 'info',
    seed: '',
    description: 'runs one probe for a test',
    remediation: '-',
    probes: { p: probe },
    mode: 'local',
    run: () => [{ status: 'pass', message: 'ran' }],
  });
  const out = await runChecks(target, [check], signal ? { signal } : {});
  const o = out.fact(probe);
  if (!o) throw new Error('probe did not run');
  return o;
}
