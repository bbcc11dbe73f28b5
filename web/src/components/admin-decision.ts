import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import type { InvitationOrigin } from '../api/administration';
import { ApiError } from '../api/http';
import type { AdminDecisionController } from '../controllers/admin-decision-controller';
import { personName } from '../format';
import './relais-confirm';

/**
 * What the administration screens (<relais-membership-requests>, <relais-identity-reviews>)
 * render alike: the title, the status line and alerts, the list in its states (loading,
 * failed with "Réessayer", empty) and the confirmation dialog; the invitation an account
 * came from; the explanation of a failed decision. Not an element: render helpers.
 */
export interface QueueText {
  title: string;
  /** The list could not be loaded. */
  loadError: string;
  /** Nothing waits. */
  empty: string;
  /** The list's accessible name. */
  listLabel: string;
}

/** The confirmation of `decisions.pending`. */
export interface ConfirmText {
  heading: string;
  text: string;
  confirmLabel: string;
}

export function queueScreen<T extends { id: number }, D extends string>(
  decisions: AdminDecisionController<T, D>,
  text: QueueText,
  item: (item: T) => TemplateResult,
  confirm: ConfirmText,
) {
  const { status, items } = decisions.queue;
  return html`
    <h2 tabindex="-1">${text.title}</h2>
    <p class="notice" role="status">${decisions.done ?? nothing}</p>
    ${decisions.error ? html`<p class="notice error" role="alert" part="error">${decisions.error}</p>` : nothing}
    ${
      status === 'loading'
        ? html`<p class="muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`
        : nothing
    }
    ${
      status === 'error'
        ? html`<p class="error" role="alert">
            ${text.loadError}
            <button class="link" @click=${() => decisions.queue.reload()}>${msg('Réessayer', { id: 'common.retry' })}</button>
          </p>`
        : nothing
    }
    ${status === 'ready' && items.length === 0 ? html`<p class="muted">${text.empty}</p>` : nothing}
    ${
      items.length
        ? html`<ul aria-label=${text.listLabel}>
            ${items.map(item)}
          </ul>`
        : nothing
    }
    <relais-confirm .busy=${decisions.busy}
      heading=${confirm.heading}
      text=${confirm.text}
      confirm-label=${confirm.confirmLabel}
      @relais-confirm=${() => decisions.decide()}
      @relais-cancel=${() => decisions.cancel()}></relais-confirm>
  `;
}

/** The "Invitation" line of an account: who sent it, to which address, typed or not. */
export function invitationDetails(inv: InvitationOrigin | null) {
  return html`<dt>${msg('Invitation', { id: 'admin.invitation' })}</dt>
    <dd>${
      inv
        ? html`${msg(str`de ${personName(inv.inviter)}, envoyée à ${inv.address}`, { id: 'admin.invitation-from' })}
          ${inv.addressSource === 'typed' ? html`<span class="muted">(${msg('adresse saisie par l’invitant', { id: 'admin.address-typed' })})</span>` : nothing}`
        : msg('aucune', { id: 'admin.invitation-none' })
    }</dd>`;
}

/**
 * Why a decision failed: the server unreachable, what `explain` says of the HTTP status
 * (null: nothing particular), otherwise "not recorded, try again".
 */
export function decisionErrorText(
  err: unknown,
  explain: (status: number) => string | null,
): string {
  if (err instanceof ApiError) {
    if (err.unreachable) {
      return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
        id: 'signin.unreachable',
      });
    }
    const text = explain(err.status);
    if (text) return text;
  }
  return msg('La décision n’a pas pu être enregistrée. Réessayez.', { id: 'admin.failed' });
}
