import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { administersSomething } from '../api/administration';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { theme } from '../styles/theme';
import './relais-bots';
import './relais-identity-reviews';
import './relais-membership-requests';

/**
 * The "Administration" screen of <relais-app>, for those who have something to decide:
 * the structures' administrators see the membership requests of their structures;
 * installation administrators see every request and the identities to verify; both manage
 * the bots (<relais-bots>) of what they administer. Someone with nothing to administer
 * gets a short explanation.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @fires relais-pending-change - from the screens inside, `detail: { count }`.
 *
 * @csspart requests - The <relais-membership-requests> section.
 * @csspart identities - The <relais-identity-reviews> section.
 * @csspart bots - The <relais-bots> section (bots and their tokens, issue 12).
 */
@element('relais-admin')
@localized()
export class RelaisAdmin extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
        padding: 1rem;
        max-width: 60rem;
      }
      h1 {
        font-size: 1.3rem;
        margin: 0 0 1rem;
      }
      h1:focus {
        outline: none;
      }
      section + section {
        margin-top: 1.5rem;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));

  /** Moves the focus to the title, as a page change would. */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('h1') as HTMLElement | null)?.focus();
  }

  override render() {
    const session = sessionFor(this);
    const me = session?.me;
    return html`
      <h1 tabindex="-1">${msg('Administration', { id: 'admin.title' })}</h1>
      ${
        administersSomething(session)
          ? html`<section><relais-membership-requests part="requests" .session=${session}></relais-membership-requests></section>`
          : html`<p class="muted">${msg('Vous n’administrez aucune structure.', { id: 'admin.nothing' })}</p>`
      }
      ${
        me?.isAdmin
          ? html`<section><relais-identity-reviews part="identities" .session=${session}></relais-identity-reviews></section>`
          : nothing
      }
      ${
        administersSomething(session)
          ? html`<section><relais-bots part="bots" .session=${session}></relais-bots></section>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-admin': RelaisAdmin;
  }
}
