import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../api/http';
import { element } from '../define';
import { resolveServer } from '../session/server-url';
import { type RelaisSession, signInWithPassword } from '../session/session';
import { theme } from '../styles/theme';

/**
 * The e-mail + password sign-in form.
 *
 * @attr server - Origin of the Relais server (default: where the script was loaded from).
 * @attr message - An information shown above the form (e.g. "your session expired").
 *
 * @fires relais-signed-in - `detail: { session: RelaisSession }` once the server accepted
 *   the credentials. Bubbles and crosses shadow roots.
 *
 * @csspart form - The <form>.
 * @csspart submit - The "Se connecter" button.
 * @csspart error - The error message (role="alert").
 */
@element('relais-sign-in')
@localized()
export class RelaisSignIn extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        max-width: 26rem;
        margin: 0 auto;
        padding: 1.5rem 1rem;
      }
      h1 {
        font-size: 1.5rem;
        margin: 0 0 0.25rem;
        color: var(--_primary);
      }
      p.lead {
        margin: 0 0 1.25rem;
      }
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.3rem;
        margin-bottom: 1rem;
      }
      .notice {
        background: var(--_surface);
        border-left: 4px solid var(--_primary);
        padding: 0.6rem 0.8rem;
        margin-bottom: 1rem;
      }
      .error {
        border-left: 4px solid var(--_danger);
        background: #fdeceb;
        padding: 0.6rem 0.8rem;
        margin-bottom: 1rem;
      }
      button[type='submit'] {
        width: 100%;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() message: string | null = null;

  @state() private busy = false;
  @state() private error: string | null = null;

  override render() {
    return html`
      <h1>Relais</h1>
      <p class="lead muted">${msg('Messagerie sécurisée entre professionnels', { id: 'signin.lead' })}</p>
      ${this.message ? html`<p class="notice" role="status">${this.message}</p>` : nothing}
      ${
        this.error
          ? html`<p class="error" role="alert" part="error" id="error">${this.error}</p>`
          : nothing
      }
      <form part="form" @submit=${this.submit} novalidate aria-describedby=${this.error ? 'error' : nothing}>
        <div class="field">
          <label for="email">${msg('Adresse e-mail', { id: 'signin.email' })}</label>
          <input id="email" name="email" type="email" autocomplete="username" required
            inputmode="email" autocapitalize="off" spellcheck="false" />
        </div>
        <div class="field">
          <label for="password">${msg('Mot de passe', { id: 'signin.password' })}</label>
          <input id="password" name="password" type="password" autocomplete="current-password"
            required />
        </div>
        <button class="primary" type="submit" part="submit" ?disabled=${this.busy}>
          ${
            this.busy
              ? msg('Connexion…', { id: 'signin.busy' })
              : msg('Se connecter', { id: 'signin.submit' })
          }
        </button>
      </form>
    `;
  }

  private async submit(event: SubmitEvent) {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
    const password = (form.elements.namedItem('password') as HTMLInputElement).value;
    if (!email || !password) {
      this.error = msg('Saisissez votre adresse e-mail et votre mot de passe.', {
        id: 'signin.missing',
      });
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const session = await signInWithPassword(resolveServer(this.server), email, password);
      this.dispatchEvent(
        new CustomEvent<{ session: RelaisSession }>('relais-signed-in', {
          detail: { session },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      this.error = describeSignInError(err);
      (form.elements.namedItem('password') as HTMLInputElement).select();
    } finally {
      this.busy = false;
    }
  }
}

/** A sentence for the user, whatever went wrong. */
export function describeSignInError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.unreachable) {
      return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
        id: 'signin.unreachable',
      });
    }
    if (err.status === 401) {
      return msg('Adresse e-mail ou mot de passe incorrect.', { id: 'signin.wrong' });
    }
    if (err.status === 429) {
      const minutes = Math.max(1, Math.ceil((err.retryAfterSeconds ?? 60) / 60));
      return msg(str`Trop de tentatives échouées. Réessayez dans ${minutes} min.`, {
        id: 'signin.locked',
      });
    }
    if (err.status === 400 && err.field === 'email') {
      return msg('Cette adresse e-mail n’est pas valide.', { id: 'signin.bad-email' });
    }
  }
  return msg('La connexion a échoué. Réessayez dans un instant.', { id: 'signin.failed' });
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-sign-in': RelaisSignIn;
  }
}
