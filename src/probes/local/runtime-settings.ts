import type { RowDataPacket } from 'mysql2';
import { describeError } from '../../core/errors.js';
import { FactUnavailable, defineProbe } from '../../core/probe.js';
import type { ReadOnlyDb } from '../pci/db.js';
import { civicrmDbProbe } from '../pci/db.js';
import { layoutProbe } from './layout.js';
import type { Unserialized } from './php-serialize.js';
import { phpUnserialize } from './php-serialize.js';

/**
 * The CiviCRM settings the config.* checks judge, as CiviCRM would see them: a `$civicrm_setting`
 * override in civicrm.settings.php wins, else the domain's row in `civicrm_setting` (PHP-serialized),
 * else the setting's default (a missing row means the default).
 */
export const RUNTIME_SETTINGS = {
  debug_enabled: 0,
  backtrace: 0,
  enableSSL: 0,
  verifySSL: 1,
  environment: 'Production',
} as const satisfies Record<string, Unserialized>;

export type RuntimeSettingName = keyof typeof RUNTIME_SETTINGS;

export type RuntimeValue =
  | { state: 'known'; value: Unserialized; source: 'settings-file' | 'database' | 'default'; detail: string }
  | { state: 'unknown'; status: 'skip' | 'error'; reason: string };

export interface RuntimeSettings {
  domainId: number;
  /** Redacted DSN of the database read, or null. */
  db: string | null;
  values: Record<RuntimeSettingName, RuntimeValue>;
}

const NAMES = Object.keys(RUNTIME_SETTINGS) as RuntimeSettingName[];

/** Reads the rows (exported for tests with a real server). */
export async function readSettingRows(
  db: Pick<ReadOnlyDb, 'query'>,
  domainId: number,
): Promise<Map<string, { raw: string | null; domainId: number | null }>> {
  const rows = await db.query<RowDataPacket>(
    `SELECT name, value, domain_id FROM civicrm_setting
     WHERE name IN (${NAMES.map(() => '?').join(', ')}) AND contact_id IS NULL
       AND (domain_id = ? OR domain_id IS NULL)
     ORDER BY domain_id IS NULL DESC`,
    [...NAMES, domainId],
  );
  const out = new Map<string, { raw: string | null; domainId: number | null }>();
  // NULL-domain rows first, the domain's own row last (it wins).
  for (const r of rows) {
    const raw =
      r['value'] === null || r['value'] === undefined ? null : String(r['value']).slice(0, 64 * 1024);
    out.set(String(r['name']), { raw, domainId: r['domain_id'] === null ? null : Number(r['domain_id']) });
  }
  return out;
}

export const runtimeSettingsProbe = defineProbe<RuntimeSettings>({
  name: 'CiviCRM settings (settings file + civicrm_setting)',
  async run(ctx) {
    const layout = await ctx.outcome(layoutProbe);
    const settings = layout.ok ? layout.value.settings : null;
    const domainId = settings?.domainId ?? 1;
    const values = {} as Record<RuntimeSettingName, RuntimeValue>;
    const needDb: RuntimeSettingName[] = [];
    for (const name of NAMES) {
      const o = settings?.overrides[name];
      if (o?.state === 'set') {
        values[name] = {
          state: 'known',
          value: o.value,
          source: 'settings-file',
          detail: `$civicrm_setting in ${settings!.file}`,
        };
      } else if (o?.state === 'unknown') {
        values[name] = {
          state: 'unknown',
          status: 'skip',
          reason: `$civicrm_setting['${name}'] in civicrm.settings.php: ${o.reason}`,
        };
      } else needDb.push(name);
    }
    let label: string | null = null;
    if (needDb.length) {
      const db = await ctx.outcome(civicrmDbProbe);
      if (!db.ok) {
        for (const n of needDb)
          values[n] = { state: 'unknown', status: db.status, reason: `database: ${db.reason}` };
        if (needDb.length === NAMES.length) throw new FactUnavailable(db.status, `database: ${db.reason}`);
      } else {
        label = db.value.label;
        let rows: Awaited<ReturnType<typeof readSettingRows>>;
        try {
          rows = await readSettingRows(db.value, domainId);
        } catch (e) {
          const reason = `reading civicrm_setting in ${label}: ${describeError(e)}`;
          for (const n of needDb) values[n] = { state: 'unknown', status: 'error', reason };
          if (needDb.length === NAMES.length) throw new FactUnavailable('error', reason);
          return { domainId, db: label, values };
        }
        for (const n of needDb) {
          const row = rows.get(n);
          if (!row || row.raw === null) {
            values[n] = {
              state: 'known',
              value: RUNTIME_SETTINGS[n],
              source: 'default',
              detail: 'no row in civicrm_setting: the default applies',
            };
            continue;
          }
          try {
            values[n] = {
              state: 'known',
              value: phpUnserialize(row.raw),
              source: 'database',
              detail: `civicrm_setting (domain ${row.domainId ?? 'all'})`,
            };
          } catch (e) {
            values[n] = {
              state: 'unknown',
              status: 'error',
              reason: `civicrm_setting ${n}: not a PHP-serialized value (${describeError(e)})`,
            };
          }
        }
      }
    }
    return { domainId, db: label, values };
  },
});
