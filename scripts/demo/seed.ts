import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../domain/accounts';
import type { AppContext } from '../../domain/context';
import { generateLines } from '../../domain/directory/generator';
import { importExtract } from '../../domain/directory/importer';
import { extractLine } from './extract-lines';
import { DEMO_PASSWORD, PEOPLE } from './people';

export { DEMO_PASSWORD };

/** The sign-ins `npm start` prints. */
export const DEMO_USERS = PEOPLE.map((p) => ({
  email: p.email,
  description: `${p.firstName} ${p.lastName}, ${p.description}`,
}));

const DAY = 86_400_000;

/** How many generated activity lines join the cast: a few hundred professionals. */
const GENERATED_LINES = 1400;

/**
 * Writes the demo extract in the national format: generated professionals (deterministic
 * seed, so every demo looks the same), then the seed card's cast.
 */
async function writeDemoExtract(file: string) {
  const out = createWriteStream(file, 'utf8');
  // The generator's first line is the 56-column header.
  for (const line of generateLines({ lines: GENERATED_LINES, seed: 2026 })) out.write(line);
  for (const person of PEOPLE) out.write(`${extractLine(person)}\n`);
  out.end();
  await once(out, 'finish');
}

/**
 * Loads the demo dataset into an empty database, through the real directory importer:
 * the seed card's structures (DAC SESAN with members attached to the chat, testpmsesan
 * with none, MSF with Mathilde) and cast, plus a few hundred generated professionals,
 * some with accounts (active, or inactive for more than 30 days), most without.
 */
export async function seedDemo(ctx: AppContext): Promise<string> {
  const file = join(tmpdir(), `relais-demo-${process.pid}-${Date.now()}.txt`);
  try {
    await writeDemoExtract(file);
    const report = await importExtract(ctx.db, file);
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const now = Date.now();

    await ctx.db.transaction(async (trx) => {
      for (const p of PEOPLE) {
        const professional = await trx('professionals')
          .where({ national_id: `8${p.rpps}` })
          .first('id');
        const [account] = await trx('accounts')
          .insert({
            professional_id: professional.id,
            email: p.email,
            password_hash: passwordHash,
            first_name: p.firstName,
            last_name: p.lastName,
            is_admin: p.isAdmin ?? false,
            last_active_at: new Date(now - p.idleDays * DAY),
            // The demo cast is who the seed says it is: verified by the seed itself.
            identity_verified_at: new Date(now),
            identity_verification_method: 'seed',
          })
          .returning('id');
        if (p.memberOf) {
          const structure = await trx('structures')
            .where({ structure_key: p.memberOf.key })
            .first('id');
          await trx('structure_members').insert({
            structure_id: structure.id,
            account_id: account.id,
            // The installation's administrator also administers their structure in the demo,
            // so that membership requests have someone to go to.
            role: p.isAdmin ? 'manager' : 'member',
          });
        }
      }

      // Some generated professionals have accounts too: two in three active, one in three
      // silent for 31 to 90 days. Deterministic, so every demo looks the same.
      const others = await trx('professionals')
        .whereNotIn(
          'national_id',
          PEOPLE.map((p) => `8${p.rpps}`),
        )
        .orderBy('national_id')
        .limit(45)
        .select('id', 'first_name', 'last_name', 'national_id');
      await Promise.all(
        others.map((o, i) =>
          trx('accounts').insert({
            professional_id: o.id,
            email: `demo.${o.national_id}@demo.relais.test`,
            password_hash: passwordHash,
            first_name: o.first_name,
            last_name: o.last_name,
            last_active_at: new Date(now - (i % 3 === 2 ? 31 + ((i * 7) % 60) : i % 10) * DAY),
            identity_verified_at: new Date(now),
            identity_verification_method: 'seed',
          }),
        ),
      );
      // DAC SESAN has professionals attached to the chat beyond the named cast.
      const sesan = await trx('structures').where({ name: 'DAC SESAN' }).first('id');
      const activeOthers = others.filter((_, i) => i % 3 !== 2).slice(0, 3);
      for (const o of activeOthers) {
        const account = await trx('accounts').where({ professional_id: o.id }).first('id');
        await trx('structure_members').insert({ structure_id: sesan.id, account_id: account.id });
      }
    });
    const accounts = PEOPLE.length + 45;
    return `${report.professionals} professionals, ${report.structures} structures, ${accounts} accounts`;
  } finally {
    await rm(file, { force: true });
  }
}
