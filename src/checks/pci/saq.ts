import { defineCheck } from '../../core/check.js';
import type { PaymentProcessorRow } from '../../probes/pci/processors.js';
import { paymentProcessorsProbe } from '../../probes/pci/processors.js';

export type Saq = 'A' | 'A-EP' | 'D';

export interface SaqVerdict {
  saq: Saq | null;
  /** Why, in one line. */
  why: string;
  /** The verdict comes from civiguard's table of known processors, not only the billing mode. */
  known: boolean;
}

/** Known processors by type name (core's PayPal types share one class), then by class name. */
const BY_TYPE_NAME: Record<string, Omit<SaqVerdict, 'known'>> = {
  PayPal_Standard: { saq: 'A', why: 'PayPal Standard redirects to PayPal’s hosted payment page' },
  PayPal_Express: { saq: 'A', why: 'PayPal Express sends the payer to PayPal to pay' },
  PayPal: {
    saq: 'D',
    why: 'PayPal Pro (Website Payments Pro) takes the card on the site’s own form and the server sends it to PayPal',
  },
};

const BY_CLASS: Record<string, Omit<SaqVerdict, 'known'>> = {
  Payment_Stripe: {
    saq: 'A',
    why: 'Stripe (CiviCRM Stripe extension) uses Stripe Elements: card fields in iframes served by Stripe',
  },
  Payment_StripeCheckout: { saq: 'A', why: 'Stripe Checkout is a payment page hosted by Stripe' },
  Payment_PPCP: {
    saq: 'A',
    why: 'PayPal Complete Payments uses PayPal’s JavaScript SDK with PayPal-hosted buttons and card fields',
  },
  Payment_PaymentExpress: { saq: 'A', why: 'DPS PaymentExpress (PxPay) redirects to a hosted payment page' },
  Payment_Google: { saq: 'A', why: 'Google Checkout redirected to Google' },
  Payment_AuthorizeNet: {
    saq: 'D',
    why: 'Authorize.net AIM: the card is entered on the site’s form and the server posts it to Authorize.net',
  },
  Payment_Dummy: {
    saq: 'D',
    why: 'the Dummy test processor takes card fields on the site’s form (never use it on a live site)',
  },
  Payment_AuthNetAcceptjs: {
    saq: 'A-EP',
    why: 'Authorize.net Accept.js: the site’s own page renders the card inputs and Accept.js tokenizes them in the browser',
  },
  Payment_AuthNetCreditcard: {
    saq: 'D',
    why: 'Authorize.net credit card (API): card fields on the site, sent by the server',
  },
  Payment_PayflowPro: { saq: 'D', why: 'PayPal Payflow Pro: card fields on the site, sent by the server' },
  Payment_Elavon: { saq: 'D', why: 'Elavon: card fields on the site, sent by the server' },
  Payment_eWAY: { saq: 'D', why: 'eWAY (direct API): card fields on the site, sent by the server' },
  Payment_FirstData: { saq: 'D', why: 'First Data: card fields on the site, sent by the server' },
  Payment_Realex: { saq: 'D', why: 'Realex (remote API): card fields on the site, sent by the server' },
  Payment_PayJunction: { saq: 'D', why: 'PayJunction: card fields on the site, sent by the server' },
  Payment_Moneris: { saq: 'D', why: 'Moneris: card fields on the site, sent by the server' },
  Payment_IATS: { saq: 'D', why: 'iATS (SOAP API): card fields on the site, sent by the server' },
};

/** Processors that never see a card: direct debit, cash, cheque. */
const NO_CARD_CLASSES = new Set([
  'Payment_Manual',
  'Payment_GoCardless',
  'Payment_SmartDebit',
  'Payment_FapsACH',
  'Payment_AuthNetEcheck',
]);

export function saqFor(p: PaymentProcessorRow): SaqVerdict {
  const byType = p.typeName ? BY_TYPE_NAME[p.typeName] : undefined;
  if (byType) return { ...byType, known: true };
  const byClass = BY_CLASS[p.className];
  if (byClass) return { ...byClass, known: true };
  if (NO_CARD_CLASSES.has(p.className) || (p.paymentType !== null && p.paymentType !== 1)) {
    return { saq: null, why: 'not a card processor (direct debit, cash or cheque)', known: true };
  }
  switch (p.billingMode ?? 0) {
    case 4:
      return {
        saq: 'A',
        why: 'billing mode "notify": the payer is redirected to the processor’s page',
        known: false,
      };
    case 2:
      return { saq: 'A', why: 'billing mode "button": payment happens off the site', known: false };
    case 1:
    case 3:
      return {
        saq: 'D',
        why: 'billing mode "form": card fields on the site’s own form, posted to the server (unless the processor’s script replaces them with hosted fields, which would make it A or A-EP)',
        known: false,
      };
    default:
      return { saq: null, why: `unknown billing mode ${p.billingMode ?? '(none)'}`, known: false };
  }
}

const RANK: Record<Saq, number> = { A: 1, 'A-EP': 2, D: 3 };

export default defineCheck({
  id: 'pci.saq',
  area: 'pci',
  title: 'PCI DSS self-assessment questionnaire implied by the payment processors',
  severity: 'info',
  seed: 'PCI compliance',
  description:
    'Informational. Reads civicrm_payment_processor (with --db) and explains which PCI DSS SAQ the active live processors imply: redirect, hosted page or iframe-hosted card fields (e.g. Stripe Elements, PayPal Standard): SAQ A; direct post or card fields built by the site’s own JavaScript: SAQ A-EP; card data through the server (e.g. Authorize.net AIM, PayPal Pro): SAQ D (notice).',
  remediation:
    'Prefer a processor that keeps card data off the server (hosted page, redirect, or iframe fields such as Stripe Elements): SAQ A is a few pages, SAQ D is hundreds of controls.',
  references: [
    'https://docs.civicrm.org/sysadmin/en/latest/setup/security/#pci-compliance',
    'https://www.pcisecuritystandards.org/document_library/?category=saqs',
  ],
  outcomes: {
    'saq-a': { title: 'SAQ A: card data never touches the site', severity: 'info' },
    'saq-a-ep': { title: 'SAQ A-EP: the site’s pages control the card form', severity: 'info' },
    'saq-d': {
      title: 'SAQ D: card data passes through the server',
      severity: 'notice',
      remediation:
        'Move to a processor or mode that keeps card data off the server (hosted page or iframe fields), or be ready for SAQ D.',
    },
  },
  probes: { processors: paymentProcessorsProbe },
  mode: 'local',
  run({ processors }) {
    const live = processors.filter((p) => p.isActive && !p.isTest);
    const judged = live.map((p) => ({ p, v: saqFor(p) }));
    const evidence = {
      processors: judged.map(({ p, v }) => ({
        id: p.id,
        name: p.name,
        type: p.typeName,
        className: p.className,
        billingMode: p.billingMode,
        saq: v.saq,
        why: v.why,
        fromBillingModeOnly: !v.known,
      })),
      inactiveOrTest: processors.length - live.length,
    };
    const cards = judged.filter((j) => j.v.saq !== null);
    if (cards.length === 0) {
      return [
        {
          status: 'skip',
          message: live.length
            ? `no active live card processor (${live.map((p) => p.name).join(', ')} take no cards): no SAQ implied by CiviCRM`
            : `no active live payment processor configured (${processors.length} inactive or test): no card payments online`,
          evidence,
        },
      ];
    }
    const worst = cards.reduce((a, b) => (RANK[b.v.saq!] > RANK[a.v.saq!] ? b : a));
    const saq = worst.v.saq!;
    const list = cards.map(({ p, v }) => `${p.name || p.className} → SAQ ${v.saq} (${v.why})`).join('; ');
    const outcome = saq === 'A' ? 'saq-a' : saq === 'A-EP' ? 'saq-a-ep' : 'saq-d';
    return [
      {
        outcome,
        status: saq === 'A' ? 'pass' : 'fail',
        message: `SAQ ${saq}: ${list}`,
        evidence,
      },
    ];
  },
});
