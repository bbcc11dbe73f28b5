import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { WebhooksConfig } from './config';

/**
 * Webhook URLs must not reach inside the installation's network (SSRF): private,
 * loopback, link-local, unique-local, CGNAT, multicast, reserved and unspecified
 * addresses are refused, IPv4 and IPv6 alike, IPv4-mapped and NAT64 IPv6 by the IPv4
 * address they carry. The check runs at CONNECTION time, on the addresses the socket is
 * about to use (a custom `lookup` on the agents, plus the IP literals Node connects to
 * without a lookup), so a name that resolved to a public address when the URL was
 * registered and to 127.0.0.1 now (DNS rebinding) is refused all the same. An operator
 * lets chosen hosts or ranges through (WEBHOOK_ALLOWED_HOSTS), or every private address
 * (WEBHOOK_ALLOW_PRIVATE, a closed network).
 */
const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  FORBIDDEN.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 96], // unspecified, loopback (::1), IPv4-compatible
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(net, bits, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | null {
  const a = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::|::ffff:0:)(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) return dotted[1] as string;
  const hex = /^(?:::ffff:|64:ff9b::|::ffff:0:)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  if (hex) return fromHex(hex[1] as string, hex[2] as string);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(a);
  if (sixToFour) return fromHex(sixToFour[1] as string, sixToFour[2] as string);
  return null;
}

function fromHex(high: string, low: string): string {
  const h = Number.parseInt(high, 16);
  const l = Number.parseInt(low, 16);
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
}

/** Why this address is refused, or null when it is public. */
export function forbiddenAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 4) {
    return FORBIDDEN.check(address, 'ipv4') ? `${address} is a private or reserved address` : null;
  }
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 && FORBIDDEN.check(v4, 'ipv4')) {
      return `${address} carries the private or reserved address ${v4}`;
    }
    return FORBIDDEN.check(address, 'ipv6') ? `${address} is a private or reserved address` : null;
  }
  return `${address} is not an IP address`;
}

/** Whether the operator lets this host (by name) or address through. */
function operatorAllows(config: WebhooksConfig, host: string, address: string): boolean {
  if (config.allowPrivate) return true;
  if (config.allowedHosts.names.includes(host.toLowerCase())) return true;
  const family = isIP(address);
  if (!family) return false;
  if (config.allowedHosts.addresses.check(address, family === 6 ? 'ipv6' : 'ipv4')) return true;
  const v4 = family === 6 ? embeddedIpv4(address) : null;
  return v4 !== null && config.allowedHosts.addresses.check(v4, 'ipv4');
}

export class ForbiddenAddressError extends Error {
  readonly code = 'EWEBHOOKADDRESS';
  constructor(host: string, reason: string) {
    super(
      `Refused to connect to ${host}: ${reason} (WEBHOOK_ALLOWED_HOSTS or WEBHOOK_ALLOW_PRIVATE lets an operator allow it)`,
    );
    this.name = 'ForbiddenAddressError';
  }
}

/** Null when `host` may be connected to at `address`, else the error to fail with. */
export function checkAddress(
  config: WebhooksConfig,
  host: string,
  address: string,
): ForbiddenAddressError | null {
  const reason = forbiddenAddressReason(address);
  if (!reason || operatorAllows(config, host, address)) return null;
  return new ForbiddenAddressError(host, reason);
}

/** A DNS lookup that fails when any address of the name is refused. */
export function guardedLookup(
  config: WebhooksConfig,
  resolve: typeof dnsLookup = dnsLookup,
): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as LookupAddress[];
      for (const a of list) {
        const refused = checkAddress(config, hostname, a.address);
        if (refused) return callback(refused, '', 4);
      }
      if (!list.length) {
        return callback(
          Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }),
          '',
          4,
        );
      }
      if ((options as { all?: boolean }).all) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      }
      const first = list[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

/**
 * Agents that check every connection: names through `lookup`, IP literals (which Node
 * connects to without a lookup) before the socket is created.
 */
export function guardedAgents(
  config: WebhooksConfig,
  resolve?: typeof dnsLookup,
): { http: http.Agent; https: https.Agent } {
  const lookup = guardedLookup(config, resolve);
  const guard = <A extends http.Agent>(agent: A): A => {
    const create = (agent as unknown as { createConnection: http.Agent['createConnection'] })
      .createConnection;
    (agent as unknown as { createConnection: unknown }).createConnection = function (
      this: A,
      options: { host?: string },
      callback: (err: Error | null, socket?: unknown) => void,
    ) {
      const host = stripBrackets(options.host ?? '');
      if (isIP(host)) {
        const refused = checkAddress(config, host, host);
        // The agent turns this into the request's 'error' event.
        if (refused) return callback(refused);
      }
      return create.call(this, options as never, callback as never);
    };
    return agent;
  };
  return {
    http: guard(new http.Agent({ keepAlive: true, maxSockets: 16, lookup })),
    https: guard(new https.Agent({ keepAlive: true, maxSockets: 16, lookup })),
  };
}

/**
 * Checks a URL given at registration: http(s) only, https in production, no credentials,
 * and (early feedback; the real check is at connection time) an IP literal or a name
 * resolving now to a refused address is refused. Returns the normalised URL or a message.
 */
export async function checkWebhookUrl(
  config: WebhooksConfig,
  production: boolean,
  raw: string,
  resolve: typeof dnsLookup = dnsLookup,
): Promise<{ url: string } | { problem: string }> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: 'Not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: 'A webhook URL is http(s)' };
  }
  if (production && url.protocol !== 'https:') {
    return { problem: 'A webhook URL must use https' };
  }
  if (url.username || url.password) {
    return { problem: 'A webhook URL carries no user name or password' };
  }
  url.hash = '';
  const host = stripBrackets(url.hostname);
  if (isIP(host)) {
    const refused = checkAddress(config, host, host);
    if (refused) return { problem: refused.message };
    return { url: url.href };
  }
  const addresses = await new Promise<LookupAddress[]>((done) =>
    resolve(host, { all: true }, (err, list) => done(err ? [] : (list as LookupAddress[]))),
  );
  for (const a of addresses) {
    const refused = checkAddress(config, host, a.address);
    if (refused) return { problem: refused.message };
  }
  return { url: url.href };
}
