/**
 * An invitation is pending while it may still be delivered or accepted: queued, sent or
 * delivered, and not expired. The directory shows such a professional as `invited` (S10);
 * it reads this condition inside its entries query rather than asking afterwards.
 */
export const PENDING_STATUSES = ['queued', 'sent', 'delivered'] as const;

/** SQL: whether the professional whose id is `professionalId` (an SQL expression) is invited. */
export function pendingInvitationSql(professionalId: string): string {
  return `EXISTS (SELECT 1 FROM invitations i WHERE i.professional_id = ${professionalId}
    AND i.status IN (${PENDING_STATUSES.map((s) => `'${s}'`).join(', ')})
    AND i.expires_at > now())`;
}
