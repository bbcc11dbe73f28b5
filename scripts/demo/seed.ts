import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hashPassword } from '../../domain/accounts';
import { appendChunk, closeAttachments, createUpload } from '../../domain/attachments';
import type { AppContext } from '../../domain/context';
import { createConversation, sendMessage } from '../../domain/conversations';
import type { Reader } from '../../domain/conversations/access';
import { generateLines } from '../../domain/directory/generator';
import { importExtract } from '../../domain/directory/importer';
import { extractLine } from './extract-lines';
import { accessPlanPhoto, agendaPdf, type DemoFile } from './files';
import { DEMO_PASSWORD, PEOPLE, STRUCTURES } from './people';

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
    const now = ctx.now().getTime();

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
      // One statement: queries sent in parallel on a transaction's single connection only
      // queue up (and pg warns about it).
      await trx('accounts').insert(
        others.map((o, i) => ({
          professional_id: o.id,
          email: `demo.${o.national_id}@demo.relais.test`,
          password_hash: passwordHash,
          first_name: o.first_name,
          last_name: o.last_name,
          last_active_at: new Date(now - (i % 3 === 2 ? 31 + ((i * 7) % 60) : i % 10) * DAY),
          identity_verified_at: new Date(now),
          identity_verification_method: 'seed',
        })),
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
    const conversations = await seedConversations(ctx);
    return (
      `${report.professionals} professionals, ${report.structures} structures, ${accounts} accounts, ` +
      `${conversations.conversations} conversation(s) with ${conversations.files} attached files`
    );
  } finally {
    await rm(file, { force: true });
  }
}

/** Fixed message ids: the demo's messages are the same on every seed. */
export const DEMO_MESSAGE_IDS = {
  agenda: 'de300000-0000-4000-8000-000000000001',
  plan: 'de300000-0000-4000-8000-000000000002',
  thanks: 'de300000-0000-4000-8000-000000000003',
} as const;

export const DEMO_RCP_SUBJECT = 'Réunion de concertation pluriprofessionnelle — jeudi';

async function readerOf(ctx: AppContext, email: string): Promise<Reader> {
  const row = await ctx.db('accounts').where({ email }).first('id', 'professional_id');
  return {
    accountId: Number(row.id),
    professionalId: row.professional_id === null ? null : Number(row.professional_id),
  };
}

/**
 * Uploads a demo file through the domain, as the HTTP routes do: createUpload, then the
 * bytes in one chunk. Completing the upload enqueues its processing (antivirus, type
 * check, re-encoding, thumbnail): the workers `npm start` starts take it right after boot.
 */
async function upload(
  ctx: AppContext,
  owner: Reader,
  file: DemoFile,
  conversationId?: number,
): Promise<string> {
  const created = await createUpload(ctx, owner, {
    name: file.name,
    type: file.type,
    size: file.bytes.length,
    conversationId: conversationId ?? null,
  });
  const done = await appendChunk(ctx, owner, created.id, 0, Readable.from([file.bytes]));
  if (done.status !== 'pending') throw new Error(`demo upload ${file.name} is ${done.status}`);
  return created.id;
}

/**
 * The demo's conversation with real files (issue 11): Claire MARTIN writes to DAC SESAN
 * with the meeting's agenda as a PDF; Karim BENALI answers on behalf of DAC SESAN with a
 * photo of the access plan on the whiteboard; Claire thanks him. It involves neither MSF
 * nor Hélène, whose lists the seed-flow browser test expects empty. Organisational content
 * only. The files are `pending` when the seed ends; the worker makes them `ready`.
 */
async function seedConversations(
  ctx: AppContext,
): Promise<{ conversations: number; files: number }> {
  const claire = await readerOf(ctx, 'claire.martin@demo.relais.test');
  const karim = await readerOf(ctx, 'karim.benali@demo.relais.test');
  const sesan = await ctx
    .db('structures')
    .where({ structure_key: STRUCTURES.sesan.key })
    .first('id');
  const sesanId = Number(sesan.id);
  try {
    const agenda = await upload(ctx, claire, agendaPdf());
    const { conversation } = await createConversation(ctx, claire, {
      subject: DEMO_RCP_SUBJECT,
      recipients: [{ kind: 'structure', id: sesanId }],
      message: {
        id: DEMO_MESSAGE_IDS.agenda,
        body: 'Ordre du jour en pièce jointe.',
        attachments: [agenda],
      },
    });
    const plan = await upload(ctx, karim, await accessPlanPhoto(), conversation.id);
    await sendMessage(ctx, karim, conversation.id, {
      id: DEMO_MESSAGE_IDS.plan,
      body: 'Merci. Pour ceux qui ne connaissent pas la salle B, le plan d’accès est au tableau.',
      onBehalfOf: sesanId,
      attachments: [plan],
    });
    await sendMessage(ctx, claire, conversation.id, {
      id: DEMO_MESSAGE_IDS.thanks,
      body: 'Parfait, à jeudi 14 h.',
    });
    return { conversations: 1, files: 2 };
  } finally {
    // The seed's processing queue (opened by the uploads) is closed here: `npm start`'s
    // server and workers open their own when they need one, and a test that seeds then
    // stops its server leaves no Redis connection behind.
    await closeAttachments(ctx);
  }
}
