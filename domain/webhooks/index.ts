export { type WebhooksConfig, webhookKeys, webhooksConfig } from './config';
export {
  type BackoffPolicy,
  backoffDelay,
  DEFAULT_BACKOFF,
  type DeliveryOptions,
  type DeliveryOutcome,
  deliverEvent,
  disableWebhook,
  RetryableDelivery,
  retryAfterMs,
  undeliveredEvents,
} from './deliver';
export {
  type EventBody,
  type EventPage,
  eventBodies,
  type PulledEvent,
  pullEvents,
} from './events';
export {
  type DeliveryView,
  deleteWebhook,
  enableWebhook,
  getWebhook,
  listDeliveries,
  MAX_VALID_SECRETS,
  replayEvent,
  revokeWebhookSecret,
  rotateWebhookSecret,
  setWebhook,
  type WebhookSecretView,
  type WebhookView,
} from './manage';
export { type BotEventType, recordBotEvents } from './outbox';
export {
  closeWebhookQueues,
  enqueueWebhookEvents,
  enqueueWebhooksAfterCommit,
  webhookJobId,
} from './queue';
export { newWebhookSecret, signatureOf, webhookHeaders, webhookIdOf } from './signing';
export {
  checkAddress,
  checkWebhookUrl,
  ForbiddenAddressError,
  forbiddenAddressReason,
  guardedAgents,
} from './ssrf';
