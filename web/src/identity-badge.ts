import { msg } from '@lit/localize';
import { css, html } from 'lit';

/**
 * "identité non vérifiée", shown beside a participant or a sender whose account came from
 * an invitation link and whose identity no administrator has confirmed: holding a link
 * proves an address, not who someone is (issue 10), so every reader is told. CSS part
 * `unverified` in the elements that show it (conversation, conversation list).
 */
export function unverifiedBadge() {
  return html` <span class="unverified" part="unverified" title=${msg(
    'Compte créé par une invitation : son identité n’a pas encore été confirmée par un administrateur.',
    { id: 'identity.unverified-title' },
  )}>${msg('identité non vérifiée', { id: 'identity.unverified' })}</span>`;
}

export const unverifiedStyles = css`
  .unverified {
    display: inline-block;
    margin-inline-start: 0.35em;
    padding: 0 0.4em;
    border: 1px solid currentColor;
    border-radius: 0.6em;
    color: var(--relais-warning-color, #8a4b00);
    font-size: 0.8em;
    font-weight: normal;
    white-space: nowrap;
  }
`;
