import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentProcessorRow } from '../../probes/pci/processors.js';
import { judge, statuses } from '../../test-support/facts.js';
import saq, { saqFor } from './saq.js';

let nextId = 1;
function proc(p: Partial<PaymentProcessorRow>): PaymentProcessorRow {
  return {
    id: nextId++,
    domainId: 1,
    name: 'proc',
    className: '',
    billingMode: null,
    paymentType: 1,
    typeName: null,
    typeTitle: null,
    isActive: true,
    isTest: false,
    urlSite: null,
    ...p,
  };
}

const stripe = proc({ name: 'Stripe', className: 'Payment_Stripe', billingMode: 1, typeName: 'Stripe' });
const paypalStd = proc({
  name: 'PayPal',
  className: 'Payment_PayPalImpl',
  billingMode: 4,
  typeName: 'PayPal_Standard',
});
const paypalPro = proc({
  name: 'PayPal Pro',
  className: 'Payment_PayPalImpl',
  billingMode: 3,
  typeName: 'PayPal',
});
const authnetAim = proc({
  name: 'AuthNet',
  className: 'Payment_AuthorizeNet',
  billingMode: 1,
  typeName: 'AuthNet',
});
const acceptJs = proc({ name: 'Accept.js', className: 'Payment_AuthNetAcceptjs', billingMode: 1 });
const gocardless = proc({
  name: 'GoCardless',
  className: 'Payment_GoCardless',
  billingMode: 4,
  paymentType: 2,
});
const unknownRedirect = proc({ name: 'Acme Pay', className: 'Payment_AcmePay', billingMode: 4 });
const unknownForm = proc({ name: 'Acme Direct', className: 'Payment_AcmeDirect', billingMode: 1 });

describe('pci.saq', () => {
  const cases: {
    name: string;
    rows: PaymentProcessorRow[];
    expect: string;
    severity?: string;
    re?: RegExp;
  }[] = [
    { name: 'Stripe Elements only: A', rows: [stripe], expect: 'pci.saq.saq-a:pass', re: /SAQ A: Stripe/ },
    { name: 'PayPal Standard: A', rows: [paypalStd], expect: 'pci.saq.saq-a:pass' },
    {
      name: 'unknown redirect processor: A by billing mode',
      rows: [unknownRedirect],
      expect: 'pci.saq.saq-a:pass',
    },
    { name: 'Accept.js: A-EP', rows: [stripe, acceptJs], expect: 'pci.saq.saq-a-ep:fail', severity: 'info' },
    { name: 'PayPal Pro: D', rows: [paypalPro], expect: 'pci.saq.saq-d:fail', severity: 'notice' },
    {
      name: 'Authorize.net AIM next to Stripe: D wins',
      rows: [stripe, authnetAim],
      expect: 'pci.saq.saq-d:fail',
      severity: 'notice',
      re: /AuthNet → SAQ D/,
    },
    { name: 'unknown form processor: D by billing mode', rows: [unknownForm], expect: 'pci.saq.saq-d:fail' },
    {
      name: 'a D processor that is only a test row does not count',
      rows: [stripe, { ...authnetAim, isTest: true }],
      expect: 'pci.saq.saq-a:pass',
    },
    {
      name: 'a disabled D processor does not count',
      rows: [paypalStd, { ...paypalPro, isActive: false }],
      expect: 'pci.saq.saq-a:pass',
    },
    { name: 'direct debit only: no SAQ', rows: [gocardless], expect: 'pci.saq:skip' },
    { name: 'no processors', rows: [], expect: 'pci.saq:skip' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const results = judge(saq, { processors: c.rows });
      assert.deepEqual(statuses(results), [c.expect]);
      if (c.severity) assert.equal(results[0]!.severity, c.severity);
      if (c.re) assert.match(results[0]!.message, c.re);
    });
  }
  it('says when a verdict rests on the billing mode only', () => {
    assert.equal(saqFor(unknownForm).known, false);
    assert.equal(saqFor(authnetAim).known, true);
  });
});
