import nodemailer from 'nodemailer';
import type { DeliveryConfig } from '../config';
import { DeliveryError } from './errors';
import { writeOutbox } from './outbox';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** A stable Message-ID per delivery attempt: a resend of the same attempt carries the same. */
  messageId: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  readonly transport: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<{ providerId: string }>;
  close(): void;
}

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
  response?: string;
  message: string;
}

/** SMTP failures: 5xx replies (but 503) are permanent, everything else is worth a retry. */
export function classifySmtpError(err: unknown): DeliveryError {
  const e = err as SmtpFailure;
  const permanent =
    e.permanent ??
    (e.responseCode !== undefined && e.responseCode >= 500 && e.responseCode !== 503);
  const detail = e.response ?? e.message;
  return new DeliveryError(
    `SMTP ${e.responseCode ?? e.code ?? 'error'}: ${detail}`.slice(0, 300),
    Boolean(permanent),
    e.responseCode ?? e.code,
  );
}

/**
 * E-mail through nodemailer over pooled SMTP connections (DKIM-signed when configured),
 * or into the outbox folder when SMTP_URL is empty.
 */
export function createMailer(config: DeliveryConfig): Mailer {
  if (!config.smtpUrl) {
    return {
      transport: 'outbox',
      async send(message) {
        await writeOutbox(config.outboxDir, {
          kind: 'email',
          from: config.mailFrom,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: { 'Message-ID': message.messageId, ...message.headers },
        });
        return { providerId: message.messageId };
      },
      close() {},
    };
  }
  const transporter = nodemailer.createTransport({
    url: config.smtpUrl,
    pool: true,
    maxConnections: config.smtpPoolSize,
    maxMessages: 1000,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(config.dkim ? { dkim: config.dkim } : {}),
  });
  return {
    transport: 'smtp',
    async send(message) {
      try {
        const info = await transporter.sendMail({
          from: config.mailFrom,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: message.messageId,
          headers: message.headers,
        });
        return { providerId: info.messageId ?? message.messageId };
      } catch (err) {
        throw classifySmtpError(err);
      }
    },
    close() {
      transporter.close();
    },
  };
}
