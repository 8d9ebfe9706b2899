import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

/** RFC 3339 date-time (JSON Schema's `date-time`), with real calendar and clock ranges. */
export function isDateTime(s: string): boolean {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) return false;
  const [y, mo, d, hh, mm, ss] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth) return false;
  if (hh > 23 || mm > 59 || ss > 60) return false;
  if (m[8] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}

function isUri(s: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(s) || /\s/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function isUriReference(s: string): boolean {
  if (/\s/.test(s)) return false;
  try {
    new URL(s, 'http://base.invalid/');
    return true;
  } catch {
    return false;
  }
}

/** A validator for one of the JSON files under schema/ (2020-12 dialect, formats checked). */
export function schemaValidator(file: string): ValidateFunction {
  // ajv's CJS default export under NodeNext typing
  const AjvClass = Ajv2020 as unknown as typeof Ajv2020.default;
  const ajv = new AjvClass({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addFormat('uri', { type: 'string', validate: isUri });
  ajv.addFormat('uri-reference', { type: 'string', validate: isUriReference });
  const schema = JSON.parse(
    readFileSync(new URL(`../../../schema/${file}`, import.meta.url), 'utf8'),
  ) as object;
  return ajv.compile(schema);
}
