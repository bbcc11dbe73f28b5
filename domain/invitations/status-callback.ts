import type { AppContext } from '../context';

export interface TwilioStatus {
  MessageSid: string;
  MessageStatus: string;
  ErrorCode?: string;
}

/**
 * Applies Twilio's delivery report (the route has already checked its signature):
 * delivered → delivered; undelivered/failed → failed with Twilio's error code. Reports for
 * unknown messages, or out of order (a "sent" after "delivered"), change nothing.
 */
export async function applyTwilioStatus(ctx: AppContext, report: TwilioStatus): Promise<boolean> {
  const status = report.MessageStatus;
  const q = ctx.db('invitations').where('provider_id', report.MessageSid).where('channel', 'sms');
  if (status === 'delivered') {
    const n = await q
      .whereIn('status', ['queued', 'sent'])
      .update({ status: 'delivered', delivered_at: ctx.db.fn.now(), updated_at: ctx.db.fn.now() });
    return n > 0;
  }
  if (status === 'undelivered' || status === 'failed') {
    const n = await q.whereIn('status', ['queued', 'sent']).update({
      status: 'failed',
      failure_reason: `SMS ${status}${report.ErrorCode ? ` (Twilio error ${report.ErrorCode})` : ''}`,
      updated_at: ctx.db.fn.now(),
    });
    return n > 0;
  }
  return false;
}
