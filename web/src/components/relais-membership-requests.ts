import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { administrationApi, type MembershipRequest } from '../api/administration';
import { AdminDecisionController } from '../controllers/admin-decision-controller';
import { AdminQueueController } from '../controllers/admin-queue-controller';
import { element } from '../define';
import { personName } from '../format';
import { formatDateTime } from '../i18n';
import { unverifiedBadge, unverifiedStyles } from '../identity-badge';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { adminStyles } from '../styles/admin';
import { theme } from '../styles/theme';
import {
  type ConfirmText,
  decisionErrorText,
  invitationDetails,
  queueScreen,
} from './admin-decision';

/**
 * "Demandes de rattachement": the pending membership requests of the structures the user
 * administers (all of them for an installation administrator). Joining through a structure
 * invitation proves an address, not that one works there: an administrator approves
 * (the account then reads and answers the structure's conversations) or refuses, after a
 * confirmation. Who asks, for which structure, through whose invitation and when.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @fires relais-pending-change - `detail: { count }` when the number of pending requests changes.
 *
 * @csspart item - Each request.
 * @csspart approve - The "Approuver" button.
 * @csspart refuse - The "Refuser" button.
 * @csspart error - The message of a decision that failed.
 * @csspart unverified - "identité non vérifiée" beside the requester.
 */
@element('relais-membership-requests')
@localized()
export class RelaisMembershipRequests extends LitElement {
  static override styles = [theme, unverifiedStyles, adminStyles];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  readonly requests = new AdminQueueController<MembershipRequest>(
    this,
    () => sessionFor(this),
    (session, signal) => administrationApi.membershipRequests(session, signal),
    () => true,
  );

  readonly #decisions = new AdminDecisionController<MembershipRequest, 'approve' | 'refuse'>(
    this,
    this.requests,
    {
      send: (session, request, decision) =>
        administrationApi.decideMembership(session, request.id, decision),
      doneText: (request, decision) => {
        const who = personName(request.account);
        const where = request.structure.name;
        return decision === 'approve'
          ? msg(str`${who} est rattaché·e à ${where}.`, { id: 'admin.requests.approved' })
          : msg(str`La demande de ${who} pour ${where} est refusée.`, {
              id: 'admin.requests.refused',
            });
      },
      errorText,
    },
  );

  /** Moves the focus to the title (the app does it when the screen opens). */
  focusHeading(): void {
    this.#decisions.focusHeading();
  }

  #confirmText(): ConfirmText {
    const p = this.#decisions.pending;
    const who = p ? personName(p.item.account) : '';
    const where = p?.item.structure.name ?? '';
    const approve = p?.decision === 'approve';
    return {
      heading: approve
        ? msg(str`Rattacher ${who} à ${where} ?`, { id: 'admin.requests.confirm-approve' })
        : msg(str`Refuser la demande de ${who} pour ${where} ?`, {
            id: 'admin.requests.confirm-refuse',
          }),
      text: approve
        ? msg(
            'Cette personne lira toutes les conversations de la structure et pourra répondre en son nom.',
            { id: 'admin.requests.approve-effect' },
          )
        : msg('Elle ne gardera que la conversation partagée avec l’invitation.', {
            id: 'admin.requests.refuse-effect',
          }),
      confirmLabel: approve
        ? msg('Approuver', { id: 'admin.requests.approve' })
        : msg('Refuser', { id: 'admin.requests.refuse' }),
    };
  }

  override render() {
    return queueScreen(
      this.#decisions,
      {
        title: msg('Demandes de rattachement', { id: 'admin.requests.title' }),
        loadError: msg('Impossible de charger les demandes.', { id: 'admin.requests.error' }),
        empty: msg('Aucune demande en attente.', { id: 'admin.requests.empty' }),
        listLabel: msg('Demandes en attente', { id: 'admin.requests.list' }),
      },
      (r) => this.#item(r),
      this.#confirmText(),
    );
  }

  #item(r: MembershipRequest) {
    const who = personName(r.account);
    const where = [r.structure.name, r.structure.city].filter(Boolean).join(', ');
    const tz = sessionFor(this)?.account?.timeZone;
    const { date, time } = formatDateTime(r.createdAt, tz);
    const inv = r.invitation;
    return html`<li part="item" data-id=${r.id}>
      <h3>${who}${r.account.identityVerified ? nothing : unverifiedBadge()}</h3>
      <dl>
        <dt>${msg('Structure', { id: 'admin.requests.structure' })}</dt>
        <dd>${where}</dd>
        ${r.account.email ? html`<dt>${msg('Adresse de connexion', { id: 'admin.email' })}</dt><dd>${r.account.email}</dd>` : nothing}
        ${invitationDetails(inv)}
        <dt>${msg('Demande reçue', { id: 'admin.requests.received' })}</dt>
        <dd>${msg(str`le ${date} à ${time}`, { id: 'admin.when' })}</dd>
      </dl>
      <div class="actions">
        <button class="primary" part="approve" @click=${() => this.#decisions.ask(r, 'approve')}
          aria-label=${msg(str`Approuver ${who} pour ${r.structure.name}`, { id: 'admin.requests.approve-label' })}>
          ${msg('Approuver', { id: 'admin.requests.approve' })}</button>
        <button part="refuse" @click=${() => this.#decisions.ask(r, 'refuse')}
          aria-label=${msg(str`Refuser ${who} pour ${r.structure.name}`, { id: 'admin.requests.refuse-label' })}>
          ${msg('Refuser', { id: 'admin.requests.refuse' })}</button>
      </div>
    </li>`;
  }
}

function errorText(err: unknown): string {
  return decisionErrorText(err, (status) => {
    if (status === 403) {
      return msg(
        'Vous n’administrez pas cette structure : seul un de ses administrateurs peut décider.',
        { id: 'admin.requests.forbidden' },
      );
    }
    if (status === 404 || status === 409) {
      return msg(
        'Cette demande a déjà été traitée, peut-être par un autre administrateur. La liste est à jour.',
        { id: 'admin.requests.already' },
      );
    }
    return null;
  });
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-membership-requests': RelaisMembershipRequests;
  }
}
