export { DeliveryError } from './errors';
export { classifySmtpError, createMailer, type Mailer, type MailMessage } from './mailer';
export { listOutbox, type OutboxEntry, readOutbox, writeOutbox } from './outbox';
export {
  classifyTwilioError,
  createSmsSender,
  type SentSms,
  type SmsMessage,
  type SmsSender,
  validTwilioSignature,
} from './sms';
