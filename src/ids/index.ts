/**
 * civiguard's IDS: the successor of the PHPIDS that CiviCRM runs on every submitted field.
 * normalise → detectors and rules (data files) → score → decide; adapters for node:http, Express, Fastify
 * and Hono; a JSON-lines event log; access-log scoring for the audit.
 */
export type {
  Decision,
  FieldMode,
  FieldResult,
  FieldSource,
  InspectResult,
  RuleHit,
  Tag,
  Thresholds,
  ValueResult,
} from './types.js';
export { DECISIONS, TAGS } from './types.js';
export type { Ids, InspectInput, QueryLike } from './inspect.js';
export { createIds, decide, inspect, parseCookieHeader } from './inspect.js';
export type { Exemption, IdsLimits, IdsOptions, NameMatcher } from './options.js';
export { DEFAULT_LIMITS, DEFAULT_THRESHOLDS } from './options.js';
export { CIVICRM_HTML_FIELDS, CIVICRM_JSON_FIELDS, DEFAULT_HEADERS } from './civicrm.js';
export type { EventContext, EventLog, EventSink, IdsEvent, IdsEventField } from './event-log.js';
export { createEventLog, excerpt, maskDigits, toEvent } from './event-log.js';
export type { Rule, RuleSet } from './rules.js';
export { DEFAULT_RULES_DIR, defaultRules, loadRules } from './rules.js';
export type { Normalised, NormaliseOptions, Step } from './normalise/index.js';
export { normalise, STEPS } from './normalise/index.js';
export type { AccessLogEntry, ScoredLogLine } from './access-log.js';
export { parseAccessLogLine, scoreAccessLogLine } from './access-log.js';
