import { defineCheck } from '../../core/check.js';
import type { Probe, ProbeOutcome } from '../../core/probe.js';
import { runChecks } from '../../core/runner.js';
import type { AuditTarget } from '../../core/target.js';
import type { WalkResult } from '../../probes/local/fs-walk.js';
import { walkTrees } from '../../probes/local/fs-walk.js';
import type { SiteLayout } from '../../probes/local/layout.js';
import type { Unserialized } from '../../probes/local/php-serialize.js';
import type { RuntimeSettingName, RuntimeSettings } from '../../probes/local/runtime-settings.js';
import { RUNTIME_SETTINGS } from '../../probes/local/runtime-settings.js';
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

/** RuntimeSettings facts: given values are 'database' rows, the rest defaults (or unknown with `unknown`). */
export function runtimeFacts(
  values: Partial<Record<RuntimeSettingName, Unserialized>>,
  unknown: Partial<Record<RuntimeSettingName, 'skip' | 'error'>> = {},
): RuntimeSettings {
  const out = {} as RuntimeSettings['values'];
  for (const name of Object.keys(RUNTIME_SETTINGS) as RuntimeSettingName[]) {
    const u = unknown[name];
    if (u) out[name] = { state: 'unknown', status: u, reason: `${name} not readable (test)` };
    else if (name in values)
      out[name] = {
        state: 'known',
        value: values[name]!,
        source: 'database',
        detail: 'civicrm_setting (domain 1)',
      };
    else out[name] = { state: 'known', value: RUNTIME_SETTINGS[name], source: 'default', detail: 'no row' };
  }
  return { domainId: 1, db: 'mysql://civi:***@127.0.0.1/civicrm', values: out };
}
