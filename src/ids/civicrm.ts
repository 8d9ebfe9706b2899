/**
 * CiviCRM's knowledge the IDS starts from.
 *
 * CiviCRM (CRM/Core/IDS.php) exempts these rich-text fields from PHPIDS entirely, because PHPIDS flags any
 * HTML; with civiguard they are inspected in HTML mode instead: ordinary markup passes, executable HTML
 * (scripts, event handlers, javascript: URLs, frames) does not. No exemption, no "skip IDS check" needed.
 */
export const CIVICRM_HTML_FIELDS: readonly string[] = [
  'widget_code',
  'html_message',
  'text_message',
  'body_html',
  'body_text',
  'msg_html',
  'msg_text',
  'msg_subject',
  'description',
  'intro',
  'intro_text',
  'thankyou_text',
  'tf_thankyou_text',
  'thankyou_footer',
  'thankyou_footer_text',
  'footer_text',
  'new_text',
  'renewal_text',
  'help_pre',
  'help_post',
  'confirm_title',
  'confirm_text',
  'confirm_footer_text',
  'confirm_email_text',
  'event_full_text',
  'waitlist_text',
  'approval_req_text',
  'report_header',
  'report_footer',
  'premiums_intro_text',
  'honor_block_text',
  'pay_later_text',
  'pay_later_receipt',
  'instructions',
  'suggested_message',
  'page_text',
  'details',
  'data',
];

/** Fields that carry JSON (CiviCRM's REST/AJAX `json` parameter, API4's `params`): each leaf is inspected. */
export const CIVICRM_JSON_FIELDS: readonly string[] = ['json', 'params'];

/** Cookies not worth inspecting: analytics cookies full of encoded noise (CiviCRM exempts these too). */
export const CIVICRM_SKIP_FIELDS: readonly string[] = ['__utmz', '__utmc', '__utma', '__utmb', '_ga', '_gid'];

/** Request headers inspected by default (PHPIDS in CiviCRM looks at the user agent and the request URI). */
export const DEFAULT_HEADERS: readonly string[] = [
  'user-agent',
  'referer',
  'x-forwarded-for',
  'x-forwarded-host',
];
