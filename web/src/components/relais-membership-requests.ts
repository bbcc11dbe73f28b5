import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { administrationApi, type MembershipRequest } from '../api/administration';
import { ApiError } from '../api/http';
import { AdminQueueController } from '../controllers/admin-queue-controller';
import { element } from '../define';
import { personName } from '../format';
import { formatDateTime } from '../i18n';
import { unverifiedBadge, unverifiedStyles } from '../identity-badge';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { adminStyles } from '../styles/admin';
import { theme } from '../styles/theme';
import './relais-confirm';
import type { RelaisConfirm } from './relais-confirm';

type Decision = { request: MembershipRequest; decision: 'approve' | 'refuse' };

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

  @state() private pending: Decision | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private done: string | null = null;
  @query('relais-confirm') private confirm!: RelaisConfirm;
  @query('h2') private heading!: HTMLElement;
  #count = -1;

  /** Moves the focus to the title (the app does it when the screen opens). */
  focusHeading(): void {
    this.heading?.focus();
  }

  protected override updated(): void {
    const count = this.requests.status === 'ready' ? this.requests.items.length : -1;
    if (count >= 0 && count !== this.#count) {
      this.#count = count;
      this.dispatchEvent(
        new CustomEvent('relais-pending-change', {
          detail: { count },
          bubbles: true,
          composed: true,
        }),
      );
    }
  }

  async #ask(request: MembershipRequest, decision: 'approve' | 'refuse') {
    this.pending = { request, decision };
    this.error = null;
    this.done = null;
    await this.updateComplete;
    await this.confirm.show();
  }

  async #decide() {
    const pending = this.pending;
    if (!pending) return;
    const { request, decision } = pending;
    this.busy = true;
    try {
      await this.requests.decide(request.id, (session) =>
        administrationApi.decideMembership(session, request.id, decision),
      );
      const who = personName(request.account);
      const where = request.structure.name;
      this.done =
        decision === 'approve'
          ? msg(str`${who} est rattaché·e à ${where}.`, { id: 'admin.requests.approved' })
          : msg(str`La demande de ${who} pour ${where} est refusée.`, {
              id: 'admin.requests.refused',
            });
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.busy = false;
      this.confirm.close();
      this.pending = null;
      await this.updateComplete;
      this.heading.focus();
    }
  }

  #dialog() {
    const p = this.pending;
    const who = p ? personName(p.request.account) : '';
    const where = p?.request.structure.name ?? '';
    const approve = p?.decision === 'approve';
    return html`<relais-confirm .busy=${this.busy}
      heading=${
        approve
          ? msg(str`Rattacher ${who} à ${where} ?`, { id: 'admin.requests.confirm-approve' })
          : msg(str`Refuser la demande de ${who} pour ${where} ?`, {
              id: 'admin.requests.confirm-refuse',
            })
      }
      text=${
        approve
          ? msg(
              'Cette personne lira toutes les conversations de la structure et pourra répondre en son nom.',
              { id: 'admin.requests.approve-effect' },
            )
          : msg('Elle ne gardera que la conversation partagée avec l’invitation.', {
              id: 'admin.requests.refuse-effect',
            })
      }
      confirm-label=${
        approve
          ? msg('Approuver', { id: 'admin.requests.approve' })
          : msg('Refuser', { id: 'admin.requests.refuse' })
      }
      @relais-confirm=${() => this.#decide()}
      @relais-cancel=${() => {
        this.pending = null;
      }}></relais-confirm>`;
  }

  override render() {
    const { status, items } = this.requests;
    return html`
      <h2 tabindex="-1">${msg('Demandes de rattachement', { id: 'admin.requests.title' })}</h2>
      <p class="notice" role="status">${this.done ?? nothing}</p>
      ${this.error ? html`<p class="notice error" role="alert" part="error">${this.error}</p>` : nothing}
      ${
        status === 'loading'
          ? html`<p class="muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`
          : nothing
      }
      ${
        status === 'error'
          ? html`<p class="error" role="alert">
              ${msg('Impossible de charger les demandes.', { id: 'admin.requests.error' })}
              <button class="link" @click=${() => this.requests.reload()}>${msg('Réessayer', { id: 'common.retry' })}</button>
            </p>`
          : nothing
      }
      ${
        status === 'ready' && items.length === 0
          ? html`<p class="muted">${msg('Aucune demande en attente.', { id: 'admin.requests.empty' })}</p>`
          : nothing
      }
      ${
        items.length
          ? html`<ul aria-label=${msg('Demandes en attente', { id: 'admin.requests.list' })}>
              ${items.map((r) => this.#item(r))}
            </ul>`
          : nothing
      }
      ${this.#dialog()}
    `;
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
        <dt>${msg('Invitation', { id: 'admin.invitation' })}</dt>
        <dd>${
          inv
            ? html`${msg(str`de ${personName(inv.inviter)}, envoyée à ${inv.address}`, { id: 'admin.invitation-from' })}
              ${inv.addressSource === 'typed' ? html`<span class="muted">(${msg('adresse saisie par l’invitant', { id: 'admin.address-typed' })})</span>` : nothing}`
            : msg('aucune', { id: 'admin.invitation-none' })
        }</dd>
        <dt>${msg('Demande reçue', { id: 'admin.requests.received' })}</dt>
        <dd>${msg(str`le ${date} à ${time}`, { id: 'admin.when' })}</dd>
      </dl>
      <div class="actions">
        <button class="primary" part="approve" @click=${() => this.#ask(r, 'approve')}
          aria-label=${msg(str`Approuver ${who} pour ${r.structure.name}`, { id: 'admin.requests.approve-label' })}>
          ${msg('Approuver', { id: 'admin.requests.approve' })}</button>
        <button part="refuse" @click=${() => this.#ask(r, 'refuse')}
          aria-label=${msg(str`Refuser ${who} pour ${r.structure.name}`, { id: 'admin.requests.refuse-label' })}>
          ${msg('Refuser', { id: 'admin.requests.refuse' })}</button>
      </div>
    </li>`;
  }
}

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.unreachable) {
      return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
        id: 'signin.unreachable',
      });
    }
    if (err.status === 403) {
      return msg(
        'Vous n’administrez pas cette structure : seul un de ses administrateurs peut décider.',
        {
          id: 'admin.requests.forbidden',
        },
      );
    }
    if (err.status === 404 || err.status === 409) {
      return msg(
        'Cette demande a déjà été traitée, peut-être par un autre administrateur. La liste est à jour.',
        {
          id: 'admin.requests.already',
        },
      );
    }
  }
  return msg('La décision n’a pas pu être enregistrée. Réessayez.', { id: 'admin.failed' });
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-membership-requests': RelaisMembershipRequests;
  }
}
