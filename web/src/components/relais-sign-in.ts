import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../api/http';
import { AuthMethodsController } from '../controllers/auth-methods-controller';
import { element } from '../define';
import { pscErrorText, pscRequestErrorText } from '../psc-errors';
import { openPopup, redirectToPsc, runPscPopup, takePscReturn } from '../session/psc';
import { resolveServer } from '../session/server-url';
import { type RelaisSession, signInWithPassword, signInWithPscHandoff } from '../session/session';
import { theme } from '../styles/theme';

/**
 * The e-mail + password sign-in form, and "Se connecter avec Pro Santé Connect" when the
 * server offers it (`GET /api/auth/methods`; nothing at all otherwise). Pro Santé Connect
 * opens in a pop-up (a top-level redirect when the browser blocks pop-ups), so it works in
 * an intranet page of another origin without third-party cookies; see session/psc.ts.
 * At the end of a redirect, the element picks the result up from the address
 * (`#relais-psc=…`, removed at once) when it is connected.
 *
 * @attr server - Origin of the Relais server (default: where the script was loaded from).
 * @attr message - An information shown above the form (e.g. "your session expired").
 *
 * @fires relais-signed-in - `detail: { session: RelaisSession }` once the server accepted
 *   the credentials (password or Pro Santé Connect). Bubbles and crosses shadow roots.
 *
 * @cssprop --relais-psc-background - The Pro Santé Connect button (default #000091).
 * @cssprop --relais-psc-text - Its text (default white).
 *
 * @csspart form - The <form>.
 * @csspart submit - The "Se connecter" button.
 * @csspart error - The error message (role="alert").
 * @csspart psc - The "Se connecter avec Pro Santé Connect" button.
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
      .or {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        margin: 1.25rem 0;
        color: var(--_muted);
      }
      .or::before,
      .or::after {
        content: '';
        flex: 1;
        border-top: 1px solid var(--_divider);
      }
      /* After the ANS's guidelines for the button (without their image assets): a plain,
         well-contrasted button whose label says exactly what happens. */
      button.psc {
        display: flex;
        flex-direction: column;
        align-items: center;
        width: 100%;
        min-height: 3.25rem;
        padding: 0.45rem 1rem;
        background: var(--relais-psc-background, #000091);
        color: var(--relais-psc-text, #ffffff);
        border: 2px solid var(--relais-psc-background, #000091);
        border-radius: 4px;
        line-height: 1.2;
      }
      button.psc:hover:not(:disabled) {
        filter: brightness(1.25);
      }
      button.psc .with {
        font-size: 0.85rem;
      }
      button.psc .name {
        font-weight: 700;
        font-size: 1.05rem;
      }
      .psc-status {
        margin: 0.5rem 0 0;
        font-size: 0.9rem;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() message: string | null = null;

  @state() private busy = false;
  @state() private error: string | null = null;
  /** The Pro Santé Connect pop-up is open, or its handoff is being exchanged. */
  @state() private pscBusy = false;

  /** Whether the server offers Pro Santé Connect. */
  protected readonly methods = new AuthMethodsController(this, () => resolveServer(this.server));
  #popup: Window | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // Back from a redirect to Pro Santé Connect: the first element connected takes it.
    const back = takePscReturn();
    if (!back) return;
    if ('handoff' in back) void this.#exchange(back.handoff);
    else this.error = pscErrorText(back.errorCode);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#popup = null;
  }

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
      ${this.methods.psc || this.pscBusy ? this.#psc() : nothing}
    `;
  }

  #psc() {
    return html`
      <p class="or" aria-hidden="true">${msg('ou', { id: 'signin.or' })}</p>
      <button class="psc" type="button" part="psc" @click=${this.#startPsc}
        ?disabled=${this.pscBusy && !this.#popup} aria-describedby=${this.pscBusy ? 'psc-status' : nothing}>
        <span class="with">${msg('Se connecter avec', { id: 'signin.psc.with' })}</span>
        <span class="name">Pro Santé Connect</span>
      </button>
      ${
        this.pscBusy
          ? html`<p class="psc-status muted" id="psc-status" role="status">${msg(
              'Connexion avec Pro Santé Connect en cours : terminez-la dans la fenêtre ouverte.',
              { id: 'signin.psc.waiting' },
            )}</p>`
          : nothing
      }
    `;
  }

  /** In the click: a pop-up (opened before any await), else the redirect. */
  #startPsc = async () => {
    if (this.#popup && !this.#popup.closed) {
      this.#popup.focus(); // already open, maybe behind this window
      return;
    }
    const server = resolveServer(this.server);
    const popup = openPopup();
    if (!popup) {
      redirectToPsc(server);
      return;
    }
    this.#popup = popup;
    this.error = null;
    this.pscBusy = true;
    const outcome = await runPscPopup(popup, server);
    if (this.#popup === popup) this.#popup = null;
    if ('handoff' in outcome) {
      await this.#exchange(outcome.handoff);
      return;
    }
    this.pscBusy = false;
    if ('error' in outcome) this.error = pscErrorText(outcome.code, outcome.error);
  };

  /** Either way in, the same announcement (<relais-app> takes it from there). */
  #signedIn(session: RelaisSession): void {
    this.dispatchEvent(
      new CustomEvent<{ session: RelaisSession }>('relais-signed-in', {
        detail: { session },
        bubbles: true,
        composed: true,
      }),
    );
  }

  async #exchange(handoff: string): Promise<void> {
    this.pscBusy = true;
    this.error = null;
    try {
      this.#signedIn(await signInWithPscHandoff(resolveServer(this.server), handoff));
    } catch (err) {
      this.error = pscRequestErrorText(err);
    } finally {
      this.pscBusy = false;
    }
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
      this.#signedIn(await signInWithPassword(resolveServer(this.server), email, password));
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
