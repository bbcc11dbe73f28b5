import { createHash, randomBytes } from 'node:crypto';

/**
 * Invitation links carry 192 random bits, base64url (32 characters, all GSM-7 so the SMS
 * stays one segment). Only the SHA-256 is kept on the invitation.
 */
export function newInvitationToken(): string {
  return randomBytes(24).toString('base64url');
}

export function hashInvitationToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function joinUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/join/${token}`;
}
