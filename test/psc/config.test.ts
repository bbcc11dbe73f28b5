import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../domain/config';

/** Pro Santé Connect settings are checked at boot, each problem named. */
const ISSUER = 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet';
const base = { NODE_ENV: 'development', PUBLIC_URL: 'https://relais.example' };
/** What production requires besides (attachments: docs/attachments.md). */
const production = {
  NODE_ENV: 'production',
  CLAMAV_URL: 'tcp://clamav:3310',
  FILES_URL_SECRET: 'f'.repeat(40),
};

describe('Pro Santé Connect configuration', () => {
  it('is off when PSC_ISSUER is unset (and the demo provider runs outside production)', () => {
    const config = loadConfig(base);
    expect(config.psc).toBeNull();
    expect(config.pscLocal).toBe(true);
    expect(loadConfig({ ...base, PSC_LOCAL: 'false' }).pscLocal).toBe(false);
    expect(loadConfig({ ...base, ...production }).pscLocal).toBe(false);
  });

  it('refuses the local provider in production', () => {
    expect(() => loadConfig({ ...base, ...production, PSC_LOCAL: 'true' })).toThrow(
      /PSC_LOCAL: the local Pro Santé Connect provider is refused in production/,
    );
  });

  it('takes a client secret, with the redirect URL defaulting to PUBLIC_URL', () => {
    const config = loadConfig({
      ...base,
      PSC_ISSUER: `${ISSUER}/`,
      PSC_CLIENT_ID: 'relais',
      PSC_CLIENT_SECRET: 'secret',
    });
    expect(config.psc).toEqual({
      issuer: ISSUER,
      clientId: 'relais',
      clientSecret: 'secret',
      privateKey: null,
      redirectUrl: 'https://relais.example/auth/psc/callback',
    });
    expect(config.pscLocal).toBe(false);
  });

  it('takes a PEM private key instead (private_key_jwt), "\\n" standing for newlines', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = loadConfig({
      ...base,
      PSC_ISSUER: ISSUER,
      PSC_CLIENT_ID: 'relais',
      PSC_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    });
    expect(config.psc?.privateKey).toBe(pem);
    expect(config.psc?.clientSecret).toBeNull();
  });

  it('names what is missing or wrong', () => {
    expect(() => loadConfig({ ...base, PSC_ISSUER: ISSUER })).toThrow(
      /PSC_CLIENT_ID is required[\s\S]*exactly one of PSC_CLIENT_SECRET and PSC_PRIVATE_KEY/,
    );
    expect(() =>
      loadConfig({ ...base, PSC_ISSUER: ISSUER, PSC_CLIENT_ID: 'x', PSC_PRIVATE_KEY: 'nope' }),
    ).toThrow(/PSC_PRIVATE_KEY is not an RSA or EC private key in PEM/);
    expect(() =>
      loadConfig({
        ...base,
        ...production,
        PSC_ISSUER: 'http://psc.example/auth/realms/esante-wallet',
        PSC_CLIENT_ID: 'x',
        PSC_CLIENT_SECRET: 'y',
      }),
    ).toThrow(/PSC_ISSUER must be https in production/);
    expect(() => loadConfig({ ...base, PSC_CLIENT_SECRET: 'y' })).toThrow(
      /PSC_CLIENT_SECRET set without PSC_ISSUER/,
    );
  });
});
