import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../api/http';
import { type Invitation, type InviteTarget, invitationsApi, targetName } from '../api/invitations';
import { element } from '../define';
import { getLocale } from '../i18n';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { screen } from '../styles/screen';
import { theme } from '../styles/theme';

/**
 * "Inviter un confrère" (S15): invite a professional (or a structure) to use Relais, at
 * the contact details of the directory, or at an e-mail address or mobile number typed in,
 * with an optional personal note. The invitation itself carries who invites, why and how
 * to sign up (S16, built by the server).
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 * @prop entry - Whom to invite: a directory entry, or `{ kind, id, name }`.
 * @prop conversationId - The conversation waiting for them, if it exists already.
 *
 * @fires relais-invited - `detail: { entry, invitation }` once the server accepted it.
 * @fires relais-back - Cancel.
 *
 * @csspart form - The form.
 * @csspart submit - The "Envoyer l'invitation" button.
 */
@element('relais-invite')
@localized()
export class RelaisInvite extends LitElement {
  static override styles = [
    theme,
    screen,
    css`
      form {
        gap: 0.9rem;
        padding: 0.5rem 1rem 1rem;
      }
      fieldset {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        margin: 0;
        padding: 0.5rem 0.75rem 0.75rem;
        display: grid;
        gap: 0.4rem;
      }
      legend {
        font-weight: 600;
      }
      .choice {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        font-weight: 400;
        min-height: 44px;
      }
      .choice input {
        width: auto;
        min-height: 0;
        margin-top: 0.3rem;
      }
      .field {
        display: grid;
        gap: 0.25rem;
      }
      .channels {
        display: flex;
        gap: 1rem;
      }
      textarea {
        min-height: 4.5rem;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;
  @property({ attribute: false }) entry: InviteTarget | null = null;
  @property({ type: Number, attribute: 'conversation-id' }) conversationId: number | null = null;

  @state() private mode: 'directory' | 'typed' = 'directory';
  @state() private channel: 'email' | 'sms' = 'email';
  @state() private busy = false;
  @state() private error: string | null = null;

  /** Moves the focus to the title (the app does it when opening a view). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus();
  }

  override render() {
    const entry = this.entry;
    if (!entry) return nothing;
    const name = targetName(entry);
    return html`
      <div class="top">
        <button class="link" @click=${this.#back} aria-label=${msg('Retour', { id: 'common.back' })}>←</button>
        <h2 tabindex="-1">${msg('Inviter un confrère', { id: 'invite.title' })}</h2>
      </div>
      <form part="form" @submit=${this.#submit}>
        <p class="muted">
          ${msg(
            str`Cela permet d’envoyer à ${name} un message lui proposant d’utiliser le service, avec toutes les informations nécessaires.`,
            { id: 'invite.lead' },
          )}
        </p>
        <fieldset>
          <legend>${msg('Coordonnées', { id: 'invite.contact' })}</legend>
          <label class="choice"><input type="radio" name="mode" .checked=${this.mode === 'directory'}
            @change=${() => (this.mode = 'directory')} />
            ${msg('Je ne connais pas les coordonnées du professionnel : envoyer l’invitation aux coordonnées de l’annuaire', { id: 'invite.directory' })}</label>
          <label class="choice"><input type="radio" name="mode" .checked=${this.mode === 'typed'}
            @change=${() => (this.mode = 'typed')} />
            ${msg('Je connais les coordonnées du professionnel', { id: 'invite.typed' })}</label>
        </fieldset>
        ${
          this.mode === 'directory'
            ? html`<div class="channels" role="radiogroup" aria-label=${msg('Envoyer par', { id: 'invite.by' })}>
                <label class="choice"><input type="radio" name="channel" .checked=${this.channel === 'email'}
                  @change=${() => (this.channel = 'email')} />${msg('E-mail', { id: 'invite.email' })}</label>
                <label class="choice"><input type="radio" name="channel" .checked=${this.channel === 'sms'}
                  @change=${() => (this.channel = 'sms')} />${msg('SMS', { id: 'invite.sms' })}</label>
              </div>`
            : html`<div class="field">
                <label for="address">${msg('Adresse e-mail ou numéro de mobile', { id: 'invite.address' })}</label>
                <input id="address" name="address" required autocomplete="off" inputmode="email" />
              </div>`
        }
        <div class="field">
          <label for="note">${msg('Message personnel (facultatif)', { id: 'invite.note' })}</label>
          <textarea id="note" name="note" maxlength="280"></textarea>
        </div>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button class="primary" part="submit" type="submit" ?disabled=${this.busy}>
          ${msg('Envoyer l’invitation', { id: 'invite.send' })}
        </button>
      </form>
    `;
  }

  #back = () => {
    this.dispatchEvent(new CustomEvent('relais-back', { bubbles: true, composed: true }));
  };

  #submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const session = sessionFor(this);
    const entry = this.entry;
    if (!session || !entry) return;
    const form = e.target as HTMLFormElement;
    const address = (form.elements.namedItem('address') as HTMLInputElement | null)?.value.trim();
    const note = (form.elements.namedItem('note') as HTMLTextAreaElement).value.trim();
    if (this.mode === 'typed' && !address) {
      this.error = msg('Saisissez une adresse e-mail ou un numéro de mobile.', {
        id: 'invite.address-missing',
      });
      return;
    }
    const channel =
      this.mode === 'typed' ? (address!.includes('@') ? 'email' : 'sms') : this.channel;
    this.busy = true;
    this.error = null;
    try {
      const invitation: Invitation = await invitationsApi.create(session, {
        ...(entry.kind === 'professional'
          ? { professionalId: entry.id }
          : { structureId: entry.id }),
        channel,
        ...(this.mode === 'typed' ? { address } : {}),
        locale: getLocale() === 'en' ? 'en' : 'fr',
        ...(note ? { note } : {}),
        ...(this.conversationId ? { conversationId: this.conversationId } : {}),
      });
      this.dispatchEvent(
        new CustomEvent('relais-invited', {
          detail: { entry, invitation },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      this.error = this.#describe(err);
    } finally {
      this.busy = false;
    }
  };

  #describe(err: unknown): string {
    if (err instanceof ApiError) {
      if (err.unreachable) {
        return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
          id: 'signin.unreachable',
        });
      }
      if (err.status === 409) {
        return msg('Ce professionnel utilise déjà Relais : écrivez-lui directement.', {
          id: 'invite.already',
        });
      }
      if (err.status === 429) {
        return msg('Trop d’invitations envoyées pour aujourd’hui. Réessayez plus tard.', {
          id: 'invite.too-many',
        });
      }
      if (err.status === 400 && this.mode === 'directory') {
        return this.channel === 'sms'
          ? msg(
              'L’annuaire n’a pas de numéro de mobile pour ce destinataire : invitez par e-mail ou saisissez ses coordonnées.',
              { id: 'invite.no-mobile' },
            )
          : msg(
              'L’annuaire n’a pas d’adresse e-mail pour ce destinataire : saisissez ses coordonnées.',
              { id: 'invite.no-email' },
            );
      }
      if (err.status === 400) {
        return msg(
          'Adresse e-mail ou numéro de mobile invalide (les SMS ne partent que vers des mobiles).',
          {
            id: 'invite.bad-address',
          },
        );
      }
    }
    return msg('L’invitation n’a pas pu être envoyée.', { id: 'invite.failed' });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-invite': RelaisInvite;
  }
}
