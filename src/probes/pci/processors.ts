import type { RowDataPacket } from 'mysql2';
import { describeError } from '../../core/errors.js';
import { defineProbe, FactUnavailable } from '../../core/probe.js';
import type { ReadOnlyDb } from './db.js';
import { civicrmDbProbe } from './db.js';

/** One row of civicrm_payment_processor with its type, as facts (no judgement). */
export interface PaymentProcessorRow {
  id: number;
  domainId: number | null;
  name: string;
  /** From the processor row or, when empty, its type. */
  className: string;
  /** CiviCRM billing mode: 1 form (card fields on the site), 2 button, 3 both, 4 notify (redirect). */
  billingMode: number | null;
  /** 1 credit card, 2 direct debit (CRM_Core_Payment::PAYMENT_TYPE_*), null when not recorded. */
  paymentType: number | null;
  typeName: string | null;
  typeTitle: string | null;
  isActive: boolean;
  isTest: boolean;
  /** Public site URL the processor posts to or redirects to (url_site), never credentials. */
  urlSite: string | null;
}

interface ColRow extends RowDataPacket {
  t: string;
  c: string;
}

/** Reads the processors without assuming a CiviCRM version: only columns that exist are selected. */
export async function readPaymentProcessors(db: ReadOnlyDb): Promise<PaymentProcessorRow[]> {
  const cols = await db.query<ColRow>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('civicrm_payment_processor', 'civicrm_payment_processor_type')`,
  );
  const has = (t: string, c: string) =>
    cols.some((r) => r.t === `civicrm_payment_processor${t}` && r.c === c);
  if (!has('', 'id'))
    throw new FactUnavailable('skip', 'no civicrm_payment_processor table in this database');
  const typeJoin = has('_type', 'id') && has('', 'payment_processor_type_id');
  const p = (c: string, alias: string) => (has('', c) ? `p.${c} AS ${alias}` : `NULL AS ${alias}`);
  const t = (c: string, alias: string) =>
    typeJoin && has('_type', c) ? `t.${c} AS ${alias}` : `NULL AS ${alias}`;
  const sql = `SELECT p.id AS id, ${p('domain_id', 'domain_id')}, ${p('name', 'name')}, ${p('class_name', 'p_class')},
      ${p('billing_mode', 'p_billing')}, ${p('payment_type', 'p_ptype')}, ${p('is_active', 'is_active')},
      ${p('is_test', 'is_test')}, ${p('url_site', 'url_site')},
      ${t('name', 't_name')}, ${t('title', 't_title')}, ${t('class_name', 't_class')},
      ${t('billing_mode', 't_billing')}, ${t('payment_type', 't_ptype')}
    FROM civicrm_payment_processor p
    ${typeJoin ? 'LEFT JOIN civicrm_payment_processor_type t ON t.id = p.payment_processor_type_id' : ''}
    ORDER BY p.id LIMIT 1000`;
  const rows = await db.query(sql);
  const num = (v: unknown) => (v === null || v === undefined || v === '' ? null : Number(v));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v as string).slice(0, 200));
  return rows.map((r) => ({
    id: Number(r['id']),
    domainId: num(r['domain_id']),
    name: str(r['name']) ?? '',
    className: str(r['p_class']) || str(r['t_class']) || '',
    billingMode: num(r['p_billing']) ?? num(r['t_billing']),
    paymentType: num(r['p_ptype']) ?? num(r['t_ptype']),
    typeName: str(r['t_name']),
    typeTitle: str(r['t_title']),
    isActive: num(r['is_active']) !== 0,
    isTest: num(r['is_test']) === 1,
    urlSite: str(r['url_site']),
  }));
}

export const paymentProcessorsProbe = defineProbe<PaymentProcessorRow[]>({
  name: 'payment processors',
  async run(ctx) {
    const db = await ctx.get(civicrmDbProbe);
    try {
      return await readPaymentProcessors(db);
    } catch (e) {
      if (e instanceof FactUnavailable) throw e;
      throw new FactUnavailable('error', `reading civicrm_payment_processor: ${describeError(e)}`);
    }
  },
});
