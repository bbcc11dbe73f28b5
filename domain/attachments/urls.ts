import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived signed URLs for files. An `<img>` or `<video>` cannot send the bearer
 * header, so the URL itself carries the right: an HMAC of the file, the variant, the
 * reader's account and the expiry. Expiries are rounded up to a whole period, so that one
 * reader gets the same URL for a while and the browser's cache works.
 */
export type FileVariant = 'file' | 'thumbnail';

export interface SignedUrl {
  url: string;
  expiresAt: string;
}

export interface FileUrls {
  sign(attachmentId: string, variant: FileVariant, accountId: number): SignedUrl;
  /** The account the URL was signed for, or null when forged or expired. */
  verify(
    attachmentId: string,
    variant: FileVariant,
    query: { exp: number; acc: number; sig: string },
  ): { accountId: number } | { expired: true } | null;
}

export function createFileUrls(options: {
  secret: string;
  ttlSeconds: number;
  publicUrl: string;
  now: () => Date;
}): FileUrls {
  const { secret, ttlSeconds, publicUrl, now } = options;
  const mac = (id: string, variant: string, acc: number, exp: number) =>
    createHmac('sha256', secret).update(`${id}.${variant}.${acc}.${exp}`).digest('base64url');
  return {
    sign(attachmentId, variant, accountId) {
      const nowSeconds = Math.floor(now().getTime() / 1000);
      // At least ttlSeconds left, at most twice that: stable within a period.
      const exp = (Math.floor(nowSeconds / ttlSeconds) + 2) * ttlSeconds;
      const sig = mac(attachmentId, variant, accountId, exp);
      return {
        url: `${publicUrl}/files/${attachmentId}/${variant}?exp=${exp}&acc=${accountId}&sig=${sig}`,
        expiresAt: new Date(exp * 1000).toISOString(),
      };
    },
    verify(attachmentId, variant, { exp, acc, sig }) {
      const expected = Buffer.from(mac(attachmentId, variant, acc, exp));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (exp * 1000 <= now().getTime()) return { expired: true };
      return { accountId: acc };
    },
  };
}
