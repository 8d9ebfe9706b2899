/**
 * The IDS event log: one JSON object per line for every request at or above the `log` threshold, with the
 * route, method, client address, decision, total impact and tags, and per flagged field its name, impact,
 * tags, rule ids and an excerpt of its value. The log must not become a store of the secrets it saw:
 * values of password-like fields are replaced by their length, card-number-like digit runs (13–19 digits,
 * spaces or dashes between) keep only their last four digits, `key=secret` pairs and URL credentials are
 * redacted, and every excerpt is capped.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { redactString } from '../core/redact.js';
import type { Decision, InspectResult, Tag } from './types.js';

export const EXCERPT_CHARS = 160;

/** Field names whose values are secrets (their excerpt is only a length). */
const SECRET_FIELD =
  /(?:^|[._\-[{])(?:pass(?:word|wd|phrase)?|pwd|pin|secret|token|api[_-]?key|auth|session|sess|csrf|qfkey|credit[_-]?card|card[_-]?(?:number|num|no)|cc[_-]?(?:number|num|no)?|cvv2?|cvc2?|cid|iban|account[_-]?number|ssn|otp|private[_-]?key|signature)(?:$|[._\-\]}])|^cookie\.(?:sess|ssess|phpsessid|wordpress_|sesscivi)/i;

/** Runs of 13–19 digits, optionally grouped by spaces or dashes: card-number-like. */
const DIGIT_RUN = /(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)/g;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** Masks card-number-like digit runs to their last four digits. */
export function maskDigits(s: string): string {
  return s.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return '*'.repeat(digits.length - 4) + digits.slice(-4);
  });
}

/** A capped, masked excerpt of a field's value for the log. */
export function excerpt(name: string, value: string, max = EXCERPT_CHARS): string {
  if (isSecretField(name)) return `*** (${value.length} characters)`;
  // mask before cutting, so that a run across the cut is still recognised
  let v = maskDigits(redactString(value.length > max * 4 ? value.slice(0, max * 4) : value));
  if (v.length > max) v = v.slice(0, max) + `… (${value.length} characters)`;
  return v;
}

export interface IdsEventField {
  name: string;
  excerpt: string;
  impact: number;
  tags: Tag[];
  rules: string[];
}

export interface IdsEvent {
  time: string;
  decision: Decision;
  impact: number;
  tags: Tag[];
  method?: string;
  route?: string;
  client?: string;
  status?: number;
  fields: IdsEventField[];
  notes?: string[];
}

export interface EventContext {
  method?: string;
  route?: string;
  client?: string;
  status?: number;
  time?: Date;
}

/** At most this many fields per event (the highest impacts). */
const MAX_EVENT_FIELDS = 20;

export function toEvent(result: InspectResult, ctx: EventContext = {}): IdsEvent {
  const ev: IdsEvent = {
    time: (ctx.time ?? new Date()).toISOString(),
    decision: result.decision,
    impact: result.impact,
    tags: result.tags,
    ...(ctx.method ? { method: ctx.method } : {}),
    ...(ctx.route !== undefined ? { route: excerpt('route', ctx.route, 300) } : {}),
    ...(ctx.client ? { client: ctx.client } : {}),
    ...(ctx.status !== undefined ? { status: ctx.status } : {}),
    fields: result.fields.slice(0, MAX_EVENT_FIELDS).map((f) => ({
      name: excerpt('name', f.name, 200),
      excerpt: excerpt(f.name, f.value),
      impact: f.impact,
      tags: f.tags,
      rules: f.hits.map((h) => h.id),
    })),
  };
  if (result.notes.length) ev.notes = result.notes;
  return ev;
}

export type EventSink = string | NodeJS.WritableStream | ((line: string) => void);

export interface EventLog {
  write(event: IdsEvent): void;
  /** Flushes and closes a log the IDS opened itself (a file path); a caller's stream is left open. */
  close(): Promise<void>;
}

/** A JSON-lines log to a file (appended), a stream, or a function that receives each line. */
export function createEventLog(sink: EventSink): EventLog {
  if (typeof sink === 'function') {
    return { write: (e) => sink(JSON.stringify(e)), close: async () => {} };
  }
  let stream: NodeJS.WritableStream;
  let owned: WriteStream | undefined;
  if (typeof sink === 'string') {
    owned = createWriteStream(sink, { flags: 'a', mode: 0o640 });
    // An unwritable log must not bring the application down: warn once, keep serving (and inspecting).
    let warned = false;
    owned.on('error', (e) => {
      if (warned) return;
      warned = true;
      process.emitWarning(`civiguard ids: cannot write the event log ${sink}: ${e.message}`, {
        code: 'CIVIGUARD_IDS_LOG',
      });
    });
    stream = owned;
  } else stream = sink;
  return {
    write: (e) => {
      stream.write(JSON.stringify(e) + '\n');
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!owned || owned.destroyed) return resolve();
        owned.once('error', () => resolve());
        owned.end(() => resolve());
      }),
  };
}
