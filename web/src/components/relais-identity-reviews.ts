import { localized, msg, str } from '@lit/localize';
import { html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { administrationApi, awaitsDecision, type IdentityReview } from '../api/administration';
import { AdminDecisionController } from '../controllers/admin-decision-controller';
import { AdminQueueController } from '../controllers/admin-queue-controller';
import { element } from '../define';
import { personName } from '../format';
import { formatDateTime } from '../i18n';
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
 * "Identités à vérifier", for installation administrators: accounts made from an
 * invitation link, not bound to the directory identity they claim until someone confirms
 * who they are. Each shows the claimed identity (name, profession, RPPS), the invitation
 * that created the account (who sent it, to which address, typed or from the directory).
 * "Vérifier" binds the account to that professional (it then reads everything addressed
 * to them); "Rejeter" drops the claim (it keeps only what was shared with it). Both ask for
 * a confirmation. Accounts with no claim, or a rejected one, are listed without buttons.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token (an installation administrator's), when used on its own.
 *
 * @fires relais-pending-change - `detail: { count }` when the number of identities awaiting
 *   a decision changes.
 *
 * @csspart item - Each account.
 * @csspart verify - The "Vérifier" button.
 * @csspart reject - The "Rejeter" button.
 * @csspart error - The message of a decision that failed.
 */
@element('relais-identity-reviews')
@localized()
export class RelaisIdentityReviews extends LitElement {
  static override styles = [theme, adminStyles];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  readonly reviews = new AdminQueueController<IdentityReview>(
    this,
    () => sessionFor(this),
    (session, signal) => administrationApi.identityReviews(session, signal),
    (session) => session.me?.isAdmin ?? session.account?.isAdmin ?? false,
  );

  readonly #decisions = new AdminDecisionController<IdentityReview, 'verify' | 'reject'>(
    this,
    this.reviews,
    {
      send: (session, review, decision) =>
        decision === 'verify'
          ? administrationApi.verifyIdentity(session, review.id)
          : administrationApi.rejectIdentity(session, review.id),
      doneText: (review, decision) => {
        const who = personName(review);
        return decision === 'verify'
          ? msg(str`L’identité de ${who} est vérifiée.`, { id: 'admin.identities.verified' })
          : msg(str`L’identité revendiquée par ${who} est rejetée.`, {
              id: 'admin.identities.rejected',
            });
      },
      errorText,
      awaits: awaitsDecision,
    },
  );

  focusHeading(): void {
    this.#decisions.focusHeading();
  }

  #confirmText(): ConfirmText {
    const p = this.#decisions.pending;
    const claim = p?.item.claim;
    const claimed = claim ? `${personName(claim)} (RPPS ${claim.nationalId})` : '';
    const who = p ? personName(p.item) : '';
    const verify = p?.decision === 'verify';
    return {
      heading: verify
        ? msg(str`Confirmer que ${who} est ${claimed} ?`, {
            id: 'admin.identities.confirm-verify',
          })
        : msg(str`Rejeter l’identité ${claimed} revendiquée par ${who} ?`, {
            id: 'admin.identities.confirm-reject',
          }),
      text: verify
        ? msg(
            'Le compte lira tout ce qui est adressé à ce professionnel, y compris les conversations anciennes. Vérifiez son identité par un autre moyen avant de confirmer.',
            { id: 'admin.identities.verify-effect' },
          )
        : msg(
            'Le compte reste sans identité de l’annuaire et ne garde que les conversations partagées avec lui.',
            { id: 'admin.identities.reject-effect' },
          ),
      confirmLabel: verify
        ? msg('Vérifier', { id: 'admin.identities.verify' })
        : msg('Rejeter', { id: 'admin.identities.reject' }),
    };
  }

  override render() {
    return queueScreen(
      this.#decisions,
      {
        title: msg('Identités à vérifier', { id: 'admin.identities.title' }),
        loadError: msg('Impossible de charger les comptes à vérifier.', {
          id: 'admin.identities.error',
        }),
        empty: msg('Aucune identité à vérifier.', { id: 'admin.identities.empty' }),
        listLabel: msg('Comptes à vérifier', { id: 'admin.identities.list' }),
      },
      (r) => this.#item(r),
      this.#confirmText(),
    );
  }

  #item(r: IdentityReview) {
    const who = personName(r);
    const tz = sessionFor(this)?.account?.timeZone;
    const created = formatDateTime(r.createdAt, tz);
    const inv = r.invitation;
    const claim = r.claim;
    return html`<li part="item" data-id=${r.id}>
      <h3>${who}</h3>
      <dl>
        ${r.email ? html`<dt>${msg('Adresse de connexion', { id: 'admin.email' })}</dt><dd>${r.email}</dd>` : nothing}
        ${r.mobile ? html`<dt>${msg('Mobile', { id: 'admin.mobile' })}</dt><dd>${r.mobile}</dd>` : nothing}
        <dt>${msg('Identité revendiquée', { id: 'admin.identities.claim' })}</dt>
        <dd>${
          claim
            ? html`<strong>${personName(claim)}</strong>${claim.profession ? `, ${claim.profession}` : ''},
                RPPS <span class="rpps">${claim.nationalId}</span>`
            : r.rejectedAt
              ? msg(str`rejetée le ${formatDateTime(r.rejectedAt, tz).date}`, {
                  id: 'admin.identities.was-rejected',
                })
              : msg('aucune (invitation d’une structure)', { id: 'admin.identities.no-claim' })
        }</dd>
        ${invitationDetails(inv)}
        <dt>${msg('Compte créé', { id: 'admin.identities.created' })}</dt>
        <dd>${msg(str`le ${created.date} à ${created.time}`, { id: 'admin.when' })}</dd>
      </dl>
      ${
        inv?.addressSource === 'typed' && awaitsDecision(r)
          ? html`<p class="warning">${msg(
              'L’adresse a été saisie par l’invitant : le lien prouve seulement que cette personne la lit. Vérifiez son identité par un autre moyen.',
              { id: 'admin.identities.typed-warning' },
            )}</p>`
          : nothing
      }
      ${
        awaitsDecision(r)
          ? html`<div class="actions">
              <button class="primary" part="verify" @click=${() => this.#decisions.ask(r, 'verify')}
                aria-label=${msg(str`Vérifier l’identité de ${who}`, { id: 'admin.identities.verify-label' })}>
                ${msg('Vérifier', { id: 'admin.identities.verify' })}</button>
              <button part="reject" @click=${() => this.#decisions.ask(r, 'reject')}
                aria-label=${msg(str`Rejeter l’identité revendiquée par ${who}`, { id: 'admin.identities.reject-label' })}>
                ${msg('Rejeter', { id: 'admin.identities.reject' })}</button>
            </div>`
          : nothing
      }
    </li>`;
  }
}

function errorText(err: unknown): string {
  return decisionErrorText(err, (status) => {
    if (status === 403) {
      return msg('Seuls les administrateurs de l’installation vérifient les identités.', {
        id: 'admin.identities.forbidden',
      });
    }
    if (status === 409) {
      return msg(
        'Impossible : ce professionnel est déjà lié à un autre compte, ou ce compte a déjà été traité. La liste est à jour.',
        { id: 'admin.identities.conflict' },
      );
    }
    if (status === 404) {
      return msg('Ce compte n’existe plus. La liste est à jour.', { id: 'admin.identities.gone' });
    }
    return null;
  });
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-identity-reviews': RelaisIdentityReviews;
  }
}
