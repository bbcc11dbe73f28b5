import { type Config, ConfigError, loadConfig } from '../../domain/config';
import { PEOPLE } from '../demo/people';
import { type LocalPsc, type PscProfessional, startLocalPsc } from './local-provider';

/** The demo client: fine on a laptop; production refuses the local provider altogether. */
const DEMO_CLIENT_ID = 'relais-demo';
const DEMO_CLIENT_SECRET = 'relais-demo-psc-secret-not-for-production';

/** The demo cast as Pro Santé Connect would describe them. */
export function demoProfessionals(): PscProfessional[] {
  return PEOPLE.map((p) => ({
    rpps: p.rpps,
    firstName: p.firstName,
    lastName: p.lastName,
    professionCode: p.profession[0],
    specialityCode: p.speciality?.[0],
    activities: [
      {
        raisonSocialeSite: p.structure.name,
        numeroFinessSite: p.structure.key.startsWith('F') ? p.structure.key.slice(1) : '',
      },
    ],
  }));
}

/**
 * `npm start` outside production, PSC_ISSUER unset: a local provider on PORT+2 for the
 * demo professionals, and the configuration pointed at it.
 */
export async function startDemoPsc(config: Config): Promise<{ config: Config; psc: LocalPsc }> {
  const port = config.port + 2;
  const redirectUrl = `${config.publicUrl}/auth/psc/callback`;
  let psc: LocalPsc;
  try {
    psc = await startLocalPsc({
      port,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      redirectUris: [redirectUrl],
      postLogoutRedirectUris: [config.publicUrl],
      professionals: demoProfessionals(),
    });
  } catch (err) {
    // Said like a configuration problem: what failed and the two ways out.
    throw new ConfigError([
      `the local Pro Santé Connect provider cannot listen on 127.0.0.1:${port} (${(err as Error).message}): free that port, or set PSC_LOCAL=false`,
    ]);
  }
  const withPsc = loadConfig({
    ...process.env,
    PSC_ISSUER: psc.issuer,
    PSC_CLIENT_ID: DEMO_CLIENT_ID,
    PSC_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    PSC_REDIRECT_URL: redirectUrl,
  });
  return { config: withPsc, psc };
}
