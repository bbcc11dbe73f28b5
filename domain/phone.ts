import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers to E.164 (data-formats.md §6). French national numbers are 10 digits
 * starting with 0; overseas départements use the same national format under their own
 * country code, so "0690 12 34 56" is +590 690 12 34 56 in Guadeloupe, not +33 690….
 * The département (of the directory's structure) picks the region when known; otherwise
 * a number that is not a valid metropolitan one is tried against each overseas region.
 * The `max` metadata is needed for getType() to tell mobiles from landlines.
 */
export const OVERSEAS_REGIONS: Record<string, CountryCode> = {
  '971': 'GP',
  '972': 'MQ',
  '973': 'GF',
  '974': 'RE',
  '975': 'PM',
  '976': 'YT',
  '977': 'BL',
  '978': 'MF',
};

const FALLBACK_REGIONS: CountryCode[] = ['GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF'];

export interface NormalizedPhone {
  e164: string;
  region: CountryCode | undefined;
  mobile: boolean;
}

export class PhoneError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'not-mobile',
  ) {
    super(message);
    this.name = 'PhoneError';
  }
}

/** The region implied by a département code (971…978), or France. */
export function regionOfDepartement(departement?: string | null): CountryCode {
  return (departement && OVERSEAS_REGIONS[departement]) || 'FR';
}

function parse(input: string, region: CountryCode) {
  const parsed = parsePhoneNumberFromString(input, region);
  return parsed?.isValid() ? parsed : undefined;
}

/** E.164 form of a number typed or read in the directory, or null when it is not valid. */
export function normalizePhone(
  raw: string,
  options: { departement?: string | null } = {},
): NormalizedPhone | null {
  const cleaned = raw
    .trim()
    // "+33 (0)6 12…": the trunk 0 in brackets is not dialled after the country code.
    .replace(/\(0\)/g, '')
    .replace(/[\s.\-/()]/g, '')
    .replace(/^00/, '+');
  if (!/^\+?\d{6,16}$/.test(cleaned)) return null;
  const region = regionOfDepartement(options.departement);
  let parsed = parse(cleaned, region);
  if (!parsed && !cleaned.startsWith('+') && region === 'FR') {
    for (const candidate of FALLBACK_REGIONS) {
      parsed = parse(cleaned, candidate);
      if (parsed) break;
    }
  }
  if (!parsed) return null;
  const type = parsed.getType();
  return {
    e164: parsed.number,
    region: parsed.country,
    mobile: type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE',
  };
}

/** A mobile number in E.164, or a PhoneError saying why not (the route turns it into a 400). */
export function requireMobile(raw: string, options: { departement?: string | null } = {}): string {
  const phone = normalizePhone(raw, options);
  if (!phone) throw new PhoneError(`"${raw}" is not a valid phone number`, 'invalid');
  if (!phone.mobile) {
    throw new PhoneError(
      `${phone.e164} is not a mobile number: SMS go only to mobiles`,
      'not-mobile',
    );
  }
  return phone.e164;
}
