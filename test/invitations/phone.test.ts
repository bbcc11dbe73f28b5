import { describe, expect, it } from 'vitest';
import { isGsm7, quietHoursDelayMs, renderInvitationSms, toGsm7 } from '../../domain/invitations';
import { normalizePhone, PhoneError, requireMobile } from '../../domain/phone';

describe('phone numbers', () => {
  it('normalises French numbers written every usual way to E.164', () => {
    for (const raw of [
      '06 12 34 56 78',
      '06.12.34.56.78',
      '0033612345678',
      '+33 (0)6 12 34 56 78',
      '+33612345678',
    ]) {
      expect(normalizePhone(raw)).toEqual({ e164: '+33612345678', region: 'FR', mobile: true });
    }
  });

  it('puts overseas numbers in their region, from the département or the number itself', () => {
    expect(normalizePhone('0690 12 34 56', { departement: '971' })?.e164).toBe('+590690123456');
    expect(normalizePhone('0690 12 34 56')?.e164).toBe('+590690123456');
    expect(normalizePhone('0692 12 34 56', { departement: '974' })?.e164).toBe('+262692123456');
    expect(normalizePhone('0696 12 34 56')?.e164).toBe('+596696123456');
    expect(normalizePhone('0694 12 34 56')?.e164).toBe('+594694123456');
    // A landline of Guadeloupe, from the directory's département.
    expect(normalizePhone('0590 12 34 56', { departement: '971' })).toMatchObject({
      e164: '+590590123456',
      mobile: false,
    });
  });

  it('sends SMS only to mobiles, with a reason', () => {
    expect(requireMobile('07 81 23 45 67')).toBe('+33781234567');
    expect(() => requireMobile('01 23 45 67 89')).toThrow(PhoneError);
    expect(() => requireMobile('01 23 45 67 89')).toThrow(/not a mobile number/);
    expect(() => requireMobile('12')).toThrow(/not a valid phone number/);
    expect(normalizePhone('hello')).toBeNull();
  });
});

describe('SMS quiet hours (21:00–08:00 Europe/Paris)', () => {
  const config = { quietStartHour: 21, quietEndHour: 8, quietTimeZone: 'Europe/Paris' };
  it('delays until 08:00 Paris time, winter and summer', () => {
    // 22:30 in Paris in winter (UTC+1) → 9 h 30 min.
    expect(quietHoursDelayMs(new Date('2026-11-26T21:30:00Z'), config)).toBe(9.5 * 3600_000);
    // 05:00 in Paris in summer (UTC+2) → 3 h.
    expect(quietHoursDelayMs(new Date('2026-07-01T03:00:00Z'), config)).toBe(3 * 3600_000);
    // 21:00 sharp is quiet, 08:00 sharp is not.
    expect(quietHoursDelayMs(new Date('2026-11-26T20:00:00Z'), config)).toBe(11 * 3600_000);
    expect(quietHoursDelayMs(new Date('2026-11-26T07:00:00Z'), config)).toBe(0);
    expect(quietHoursDelayMs(new Date('2026-11-26T13:00:00Z'), config)).toBe(0);
  });
});

describe('invitation SMS', () => {
  const base = {
    locale: 'fr' as const,
    inviterProfession: 'Médecin',
    inviterStructure: 'CHI Haute-Comté',
    inviteeName: null,
    returning: false,
    note: 'Une note qui ne tiendrait pas',
    link: 'https://relais.sante-region.fr/join/AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    expiresAt: new Date('2026-12-10T00:00:00Z'),
  };
  it('fits one GSM-7 segment with the link, shortening a long name', () => {
    for (const inviterName of [
      'Mathilde Durand',
      'Marie-Françoise Dupont-Lefèvre de la Châtaigneraie-Montmorency',
    ]) {
      const sms = renderInvitationSms({ ...base, inviterName });
      expect(sms.length).toBeLessThanOrEqual(160);
      expect(isGsm7(sms)).toBe(true);
      expect(sms.endsWith(base.link)).toBe(true);
      expect(sms).not.toContain('note');
    }
    expect(toGsm7('Françoise Hôpital')).toBe('Francoise Hopital');
  });
});
