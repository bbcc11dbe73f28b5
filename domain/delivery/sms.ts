import twilio from 'twilio';
import type { DeliveryConfig } from '../config';
import { DeliveryError } from './errors';
import { writeOutbox } from './outbox';

export interface SmsMessage {
  to: string;
  body: string;
  /** Where Twilio reports delivery (signed callback). */
  statusCallback?: string;
}

export interface SentSms {
  providerId: string;
  to: string;
  body: string;
  dateCreated: Date | null;
}

export interface SmsSender {
  readonly transport: 'twilio' | 'outbox';
  send(message: SmsMessage): Promise<{ providerId: string }>;
  /**
   * Messages already sent to `to` since `since` (Twilio's message log): a job retried after
   * a crash in the middle of a send looks here before sending again. The outbox has no log
   * worth trusting across processes and returns [] (at worst a demo file twice).
   */
  sentSince(to: string, since: Date): Promise<SentSms[]>;
}

/** Twilio error codes that no retry will fix (invalid or non-mobile number, opted out…). */
const PERMANENT_CODES = new Set([21211, 21212, 21408, 21601, 21610, 21612, 21614, 21617]);

export function classifyTwilioError(err: unknown): DeliveryError {
  const e = err as { status?: number; code?: number | string; message?: string };
  const status = typeof e.status === 'number' ? e.status : undefined;
  const code = typeof e.code === 'number' ? e.code : undefined;
  const permanent =
    (code !== undefined && PERMANENT_CODES.has(code)) ||
    (status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408);
  return new DeliveryError(
    `Twilio ${code ?? status ?? e.code ?? 'error'}: ${e.message ?? 'request failed'}`.slice(0, 300),
    permanent,
    code ?? status,
  );
}

/**
 * twilio's RequestClient pointed at another base URL: the SDK builds absolute
 * https://api.twilio.com URLs, which this rewrites (a local fake API in tests).
 */
function redirectingClient(apiUrl: string) {
  const client = new twilio.RequestClient({ keepAlive: true, timeout: 15_000 });
  const original = client.request.bind(client);
  client.request = ((opts: Parameters<typeof original>[0]) =>
    original({
      ...opts,
      uri: opts.uri.replace(/^https:\/\/[a-z0-9.-]*twilio\.com/, apiUrl),
    })) as typeof client.request;
  return client;
}

export function createSmsSender(config: DeliveryConfig): SmsSender {
  const settings = config.twilio;
  if (!settings) {
    return {
      transport: 'outbox',
      async send(message) {
        const entry = await writeOutbox(config.outboxDir, {
          kind: 'sms',
          from: 'Relais',
          to: message.to,
          body: message.body,
        });
        return { providerId: `outbox-${entry.id}` };
      },
      async sentSince() {
        return [];
      },
    };
  }
  const client = twilio(settings.accountSid, settings.authToken, {
    httpClient: settings.apiUrl
      ? redirectingClient(settings.apiUrl)
      : new twilio.RequestClient({ keepAlive: true, timeout: 15_000 }),
  });
  const sender = settings.from.startsWith('MG')
    ? { messagingServiceSid: settings.from }
    : { from: settings.from };
  return {
    transport: 'twilio',
    async send(message) {
      try {
        const sent = await client.messages.create({
          to: message.to,
          body: message.body,
          ...sender,
          ...(message.statusCallback ? { statusCallback: message.statusCallback } : {}),
        });
        return { providerId: sent.sid };
      } catch (err) {
        throw classifyTwilioError(err);
      }
    },
    async sentSince(to, since) {
      try {
        const list = await client.messages.list({ to, dateSentAfter: since, limit: 50 });
        return list.map((m) => ({
          providerId: m.sid,
          to: m.to,
          body: m.body,
          dateCreated: m.dateCreated,
        }));
      } catch (err) {
        throw classifyTwilioError(err);
      }
    },
  };
}

/** Twilio's signature check of a status callback (X-Twilio-Signature over URL + params). */
export function validTwilioSignature(
  authToken: string,
  signature: string | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}
