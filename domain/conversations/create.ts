import Boom from '@hapi/boom';
import { checkAttachable, linkAttachments } from '../attachments/attach';
import type { AppContext } from '../context';
import { type Patient, type PatientInput, patientKey, toPatient } from '../patients';
import { publishEvent } from '../realtime';
import { recordBotEvents } from '../webhooks/outbox';
import { enqueueWebhooksAfterCommit } from '../webhooks/queue';
import { audienceOf, type Reader } from './access';
import { fieldError } from './errors';
import { loadConversation, NOW_MS } from './load';
import { checkBody, isDuplicateId } from './messages';
import {
  authorRef,
  type ParticipantRef,
  refColumns,
  refKey,
  resolveRecipients,
} from './participants';
import {
  type ConversationRecord,
  type MessageRecord,
  type MessageRow,
  messagesQuery,
  SUBJECT_MAX,
  toMessageRecord,
  withAttachments,
} from './records';

export interface NewConversation {
  subject: string;
  patient?: PatientInput | null;
  recipients: ParticipantRef[];
  message: { id: string; body: string; attachments?: string[] };
  /** Create it as a member of this structure: the structure is the participant. */
  onBehalfOf?: number | null;
}

export interface CreatedConversation {
  conversation: ConversationRecord;
  message: MessageRecord;
  /** False when the first message id was already used by this author: a retried create. */
  created: boolean;
}

/**
 * Creates a conversation (S2, S7): subject, optional patient, the author's seat plus the
 * recipients, and the first message (seq 1), in one transaction. Recipients without an
 * account are participants all the same: the conversation waits for them. The first
 * message's client id makes a retried create return the conversation already created.
 */
export async function createConversation(
  ctx: AppContext,
  author: Reader,
  input: NewConversation,
): Promise<CreatedConversation> {
  const { db } = ctx;
  const subject = input.subject.trim();
  if (!subject) throw fieldError('subject', 'A subject is required');
  if (subject.length > SUBJECT_MAX) {
    throw fieldError('subject', `The subject is limited to ${SUBJECT_MAX} characters`);
  }
  const files = input.message.attachments ?? [];
  const body = checkBody(input.message.body, 'message.body', files.length > 0);
  const patient = toPatient(input.patient);

  const retried = await findRetriedCreate(ctx, author, input.message.id);
  if (retried) return retried;

  await checkAttachable(db, author.accountId, files, null, 'message.attachments');
  const self = await authorRef(db, author, input.onBehalfOf);
  const recipients = (await resolveRecipients(db, input.recipients)).filter(
    (r) => refKey(r) !== refKey(self),
  );
  if (recipients.length === 0) {
    throw fieldError('recipients', 'At least one recipient other than yourself is required');
  }

  let stored: { id: number; audience: number[]; webhookEvents: number[] };
  try {
    stored = await insertConversation(ctx, author, input, {
      subject,
      body,
      patient,
      self,
      recipients,
    });
  } catch (err) {
    // The same create racing itself: the other attempt stored it first.
    const again = isDuplicateId(err)
      ? await findRetriedCreate(ctx, author, input.message.id)
      : null;
    if (again) return again;
    throw err;
  }
  const { id, audience, webhookEvents } = stored;
  const conversation = await loadConversation(db, id, ctx.config.inactivityDays);
  const [message] = await withAttachments(db, [
    toMessageRecord(await messagesQuery(db).where('m.id', input.message.id).first()),
  ]);
  if (!message) throw new Error('the first message was not stored');
  await publishEvent(ctx, audience, { type: 'conversation.created', conversation, message });
  await enqueueWebhooksAfterCommit(ctx, webhookEvents);
  return { conversation, message, created: true };
}

interface Checked {
  subject: string;
  body: string;
  patient: Patient | null;
  self: ParticipantRef;
  recipients: ParticipantRef[];
}

function insertConversation(
  ctx: AppContext,
  author: Reader,
  input: NewConversation,
  { subject, body, patient, self, recipients }: Checked,
): Promise<{ id: number; audience: number[]; webhookEvents: number[] }> {
  return ctx.db.transaction(async (trx) => {
    const [conversation] = await trx('conversations')
      .insert({
        subject,
        patient: patient ? JSON.stringify(patient) : null,
        patient_key: patientKey(patient),
        created_by: author.accountId,
        last_seq: 1,
        last_activity_at: trx.raw(NOW_MS),
      })
      .returning('id');
    const conversationId = Number(conversation.id);
    await trx('conversation_participants').insert(
      [self, ...recipients].map((ref) => ({
        conversation_id: conversationId,
        added_by: author.accountId,
        ...refColumns(ref),
      })),
    );
    await trx('messages').insert({
      id: input.message.id,
      conversation_id: conversationId,
      seq: 1,
      sender_account_id: author.accountId,
      structure_id: self.kind === 'structure' ? self.id : null,
      body,
    });
    await linkAttachments(
      trx,
      author.accountId,
      input.message.attachments ?? [],
      input.message.id,
      conversationId,
    );
    await trx('read_markers').insert({
      conversation_id: conversationId,
      account_id: author.accountId,
      last_read_seq: 1,
      delivered_seq: 1,
      delivered_at: trx.fn.now(),
    });
    // The bots of the new conversation learn of it in this transaction (outbox).
    const webhookEvents = await recordBotEvents(trx, 'conversation.created', conversationId, {
      except: author.accountId,
      messageId: input.message.id,
    });
    return { id: conversationId, audience: await audienceOf(trx, conversationId), webhookEvents };
  });
}

/** A create whose first message id exists: the same author's retry, or a conflict. */
async function findRetriedCreate(
  ctx: AppContext,
  author: Reader,
  messageId: string,
): Promise<CreatedConversation | null> {
  const row: MessageRow | undefined = await messagesQuery(ctx.db).where('m.id', messageId).first();
  if (!row) return null;
  if (Number(row.sender_account_id) !== author.accountId || row.seq !== 1) {
    throw Boom.conflict('This message id is already used');
  }
  return {
    conversation: await loadConversation(
      ctx.db,
      Number(row.conversation_id),
      ctx.config.inactivityDays,
    ),
    message: (await withAttachments(ctx.db, [toMessageRecord(row)]))[0] as MessageRecord,
    created: false,
  };
}
