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

/**
 * "Automatisé" ("Bot" in English), shown beside an account of kind `bot` (issue 12,
 * docs/bots.md): a participant, a sender, a structure member. Text, not an icon, so that
 * screen readers say it too. CSS part `bot`.
 */
export function botBadge() {
  return html` <span class="bot" part="bot" title=${msg(
    'Compte automatisé : messages envoyés par un logiciel, pas par une personne.',
    { id: 'account.bot-title' },
  )}>${msg('Automatisé', { id: 'account.bot' })}</span>`;
}

/** The styles of both badges (`.unverified`, `.bot`): every element that shows them. */
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
  .bot {
    display: inline-block;
    margin-inline-start: 0.35em;
    padding: 0 0.4em;
    border-radius: 0.6em;
    background: var(--relais-bot-background, #e3e9f7);
    color: var(--relais-bot-color, #233f7a);
    font-size: 0.8em;
    font-weight: 600;
    white-space: nowrap;
  }
`;
