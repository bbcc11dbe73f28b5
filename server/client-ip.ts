import { isIP } from 'node:net';
import type { Request } from '@hapi/hapi';
import { ctxOf } from './types';

/** IPv4 peers may arrive as IPv4-mapped IPv6 ("::ffff:10.0.0.1"): compare them as IPv4. */
function plain(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/**
 * The client's IP address, for the per-IP limits and the session record. Behind a reverse
 * proxy every request comes from the proxy, so one limit would lock the whole hospital
 * out; in front of none, X-Forwarded-For is whatever an attacker writes, so rotating it
 * would escape every limit. Hence: the header is read only when the TCP peer is a
 * configured proxy (TRUSTED_PROXIES), from the right, skipping the trusted hops; the first
 * address that is not a trusted proxy is the client.
 */
export function clientIp(request: Request): string {
  const trusted = ctxOf(request).config.trustedProxies;
  let ip = plain(request.info.remoteAddress || 'unknown');
  if (!trusted.includes(ip)) return ip;
  const header = request.headers['x-forwarded-for'] as string | string[] | undefined;
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => plain(hop.trim()))
    .filter((hop) => isIP(hop) !== 0);
  while (hops.length > 0) {
    ip = hops.pop()!;
    if (!trusted.includes(ip)) return ip;
  }
  return ip;
}
