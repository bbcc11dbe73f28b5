import { BlockList, isIP } from 'node:net';
import Joi from 'joi';

/**
 * Webhook settings (issue 12, docs/bots.md "Webhooks"), validated at boot with the rest of
 * the configuration (domain/config.ts merges these keys).
 */
export interface WebhooksConfig {
  /**
   * Hosts a webhook may reach even at a private address: exact host names (compared to
   * the URL's host, lower case), IP addresses and CIDR ranges.
   */
  allowedHosts: { names: string[]; addresses: BlockList; raw: string[] };
  /** Every private, loopback and link-local address allowed (a closed network). */
  allowPrivate: boolean;
  /** One request's whole time, connection to last byte. */
  timeoutMs: number;
  /** Tries of one event before the webhook is disabled (spread over about a day). */
  maxAttempts: number;
}

export const webhookKeys = {
  WEBHOOK_ALLOWED_HOSTS: Joi.string().allow('').default(''),
  WEBHOOK_ALLOW_PRIVATE: Joi.string().valid('true', 'false', '').default('false'),
  WEBHOOK_TIMEOUT_SECONDS: Joi.number().min(0.1).max(60).default(10),
  WEBHOOK_MAX_ATTEMPTS: Joi.number().integer().min(1).max(30).default(12),
};

/** Throws a list of problems (the caller wraps them in a ConfigError). */
export function webhooksConfig(
  // biome-ignore lint/suspicious/noExplicitAny: the Joi-validated environment
  value: any,
): { webhooks: WebhooksConfig; problems: string[] } {
  const problems: string[] = [];
  const raw = String(value.WEBHOOK_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const names: string[] = [];
  const addresses = new BlockList();
  for (const entry of raw) {
    const [address, bits, extra] = entry.replace(/^\[|\]$/g, '').split('/');
    const family = isIP(address ?? '');
    if (family && extra === undefined) {
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) {
        problems.push(`WEBHOOK_ALLOWED_HOSTS: "${entry}" has a wrong prefix length`);
        continue;
      }
      addresses.addSubnet(address as string, prefix, type);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) {
      names.push(entry);
    } else {
      problems.push(
        `WEBHOOK_ALLOWED_HOSTS: "${entry}" is neither a host name, an IP address nor a CIDR range`,
      );
    }
  }
  return {
    problems,
    webhooks: {
      allowedHosts: { names, addresses, raw },
      allowPrivate: value.WEBHOOK_ALLOW_PRIVATE === 'true',
      timeoutMs: Math.round(value.WEBHOOK_TIMEOUT_SECONDS * 1000),
      maxAttempts: value.WEBHOOK_MAX_ATTEMPTS,
    },
  };
}
