import Joi from 'joi';

/**
 * The Joi building blocks every route uses for ids, counters, dates and free text, so
 * that the limits of PostgreSQL are stated once at the edge instead of being discovered
 * as a 500 (issue 10, finding 4):
 * - text columns refuse NUL (`invalid byte sequence for encoding "UTF8": 0x00`) and a lone
 *   UTF-16 surrogate cannot be encoded as UTF-8 at all;
 * - `integer` (int4) columns overflow at 2^31 (`value out of range for type integer`);
 * - `bigint` ids are safe up to 2^53 − 1 in JavaScript (Joi refuses unsafe numbers);
 * - timestamps with a negative or five-digit year are valid ISO 8601 but meaningless here,
 *   and some cannot be stored or printed back.
 * server/plugins/input-guard.ts refuses NUL and lone surrogates in every string of every
 * request whatever its schema; these blocks say it again where a field is declared, so
 * that the schema (and the OpenAPI document) tells the truth on its own.
 */

export const INT4_MAX = 2_147_483_647;

/** NUL, or a UTF-16 surrogate that is not half of a pair (`\p{Cs}` in a /u regex). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point
export const UNSAFE_TEXT = /[\u0000\p{Cs}]/u;

export const UNSAFE_TEXT_MESSAGE = 'must not contain NUL characters or invalid Unicode';

/** An id of a `bigIncrements` column: a positive safe integer. */
export const id = Joi.number().integer().min(1).max(Number.MAX_SAFE_INTEGER);

/** A value of an int4 column (PostgreSQL `integer`). */
export const int4 = Joi.number()
  .integer()
  .min(-INT4_MAX - 1)
  .max(INT4_MAX);

/** A message sequence number (int4, never negative). */
export const seq = int4.min(0);

/** A page size, page number or other small count: an integer from 1 to max. */
export const oneTo = (max: number) => Joi.number().integer().min(1).max(max);

/** Free text that PostgreSQL can store: at most `max` characters, no NUL, valid Unicode. */
export function text(max: number) {
  return Joi.string()
    .max(max)
    .custom((value: string, helpers) =>
      UNSAFE_TEXT.test(value) ? helpers.error('string.unsafe') : value,
    )
    .messages({ 'string.unsafe': `{{#label}} ${UNSAFE_TEXT_MESSAGE}` });
}

/** Years a date in this product can sensibly have (birth dates to far-future expiries). */
export const MIN_DATE = '1900-01-01T00:00:00Z';
export const MAX_DATE = '9999-12-31T23:59:59Z';

/** An ISO 8601 date or timestamp between MIN_DATE and MAX_DATE. */
export const isoDate = Joi.date().iso().min(MIN_DATE).max(MAX_DATE).messages({
  'date.min': '{{#label}} must be a date from the year 1900 on',
  'date.max': '{{#label}} must be a date before the year 10000',
});

/**
 * A birth date kept as the string `YYYY-MM-DD`, from the year 1900 on: a day that exists,
 * or one with an unknown day or month written 00 (identity records have such dates). The
 * bare pattern used to let `0000-13-45` through.
 */
export const calendarDate = Joi.string()
  .pattern(/^\d{4}-\d{2}-\d{2}$/)
  .custom((value: string, helpers) => {
    const [year, month, day] = value.split('-').map(Number) as [number, number, number];
    const known = new Date(Date.UTC(year, Math.max(month, 1) - 1, Math.max(day, 1)));
    const exists =
      month <= 12 &&
      (day === 0 || known.getUTCDate() === day) &&
      known.getUTCMonth() === Math.max(month, 1) - 1;
    return exists && year >= 1900 ? value : helpers.error('date.calendar');
  })
  .messages({
    'string.pattern.base': '{{#label}} must be a date written YYYY-MM-DD',
    'date.calendar': '{{#label}} must be a real day (00 for an unknown day or month) from 1900 on',
  });
