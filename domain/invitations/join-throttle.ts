import type { AppContext } from '../context';
import { answered, consume, tooMany } from '../rate-limit';

/**
 * Throttling of the invitation links (GET and POST /join/{token}) per client address.
 * Every request counts against JOIN_MAX_PER_IP. Links that do not exist count again
 * against the stricter JOIN_MAX_INVALID_PER_IP; once that is reached, EVERY link from the
 * address is refused until the window ends: otherwise a right guess among wrong ones
 * would still answer 200 and guessing would go on.
 */
const allKey = (ip: string) => `join:ip:${ip}`;
const unknownKey = (ip: string) => `join:unknown:${ip}`;

/** Before anything else (no database, no hashing): 429 when the address is over a limit. */
export async function admitJoinRequest(ctx: AppContext, ip: string): Promise<void> {
  const { joinMaxPerIp, joinMaxInvalidPerIp, joinWindowSeconds } = ctx.config.invitations;
  // A read is enough here: the count itself is taken atomically in countUnknownLink.
  const [unknown, ttl] = await answered(
    Promise.all([ctx.redis.get(unknownKey(ip)), ctx.redis.ttl(unknownKey(ip))]),
  );
  if (Number(unknown ?? 0) >= joinMaxInvalidPerIp) {
    throw tooMany('Too many invalid links from your address.', ttl > 0 ? ttl : joinWindowSeconds);
  }
  const decision = await consume(ctx.redis, allKey(ip), joinMaxPerIp, joinWindowSeconds);
  if (!decision.allowed) {
    throw tooMany(
      'Too many requests to invitation links from your address.',
      decision.retryAfterSeconds,
    );
  }
}

/** A link that does not exist was asked for: counted, 429 past the stricter limit. */
export async function countUnknownLink(ctx: AppContext, ip: string): Promise<void> {
  const { joinMaxInvalidPerIp, joinWindowSeconds } = ctx.config.invitations;
  const decision = await consume(ctx.redis, unknownKey(ip), joinMaxInvalidPerIp, joinWindowSeconds);
  if (!decision.allowed) {
    throw tooMany('Too many invalid links from your address.', decision.retryAfterSeconds);
  }
}
