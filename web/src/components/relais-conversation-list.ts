import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { ApiError } from '../api/http';
import { ConversationsController } from '../controllers/conversations-controller';
import { formatShort } from '../i18n';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { theme } from '../styles/theme';

/**
 * The "Discussion" list: the user's conversations, newest activity first (S1), with
 * unread badges, and the button that starts a new conversation.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own (inside <relais-app>, the app
 *   passes its `session` property instead).
 *
 * @fires relais-open-conversation - `detail: { id }` when a conversation is chosen.
 * @fires relais-new-conversation - when "Nouvelle conversation" is pressed.
 *
 * @slot empty - Replaces the "Aucune conversation" empty state.
 *
 * @csspart new-button - The "Nouvelle conversation" button.
 * @csspart list - The <ul> of conversations.
 * @csspart item - Each conversation button.
 * @csspart badge - The unread count.
 */
@customElement('relais-conversation-list')
@localized()
export class RelaisConversationList extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: block;
      }
      .toolbar {
        display: flex;
        justify-content: flex-end;
        padding: 0.75rem 1rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li + li {
        border-top: 1px solid var(--_divider);
      }
      .item {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.15rem 0.75rem;
        width: 100%;
        text-align: left;
        border: none;
        border-radius: 0;
        background: var(--_bg);
        color: var(--_text);
        padding: 0.75rem 1rem;
      }
      .item:hover {
        background: var(--_surface);
      }
      .subject {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .unread .subject {
        font-weight: 800;
      }
      .when {
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .preview {
        grid-column: 1;
        font-size: 0.9rem;
        color: var(--_muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .badge {
        grid-column: 2;
        justify-self: end;
        min-width: 1.6em;
        padding: 0 0.45em;
        border-radius: 1em;
        background: var(--_primary);
        color: var(--_on-primary);
        font-size: 0.85rem;
        font-weight: 700;
        text-align: center;
      }
      .empty {
        padding: 2rem 1rem;
        text-align: center;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;
  /** Time zone for times in the list (default: the account's, else the browser's). */
  @property({ attribute: 'time-zone' }) timeZone: string | null = null;

  readonly conversations = new ConversationsController(this, () => sessionFor(this));

  /** Reloads the list (e.g. after a conversation was created). */
  reload(): Promise<void> {
    return this.conversations.reload();
  }

  override render() {
    const { status, items, error } = this.conversations;
    // Until the conversations API is deployed the list is simply empty.
    const missingApi = error instanceof ApiError && error.status === 404;
    return html`
      <div class="toolbar">
        <button class="primary" part="new-button" @click=${this.newConversation}>
          ${msg('Nouvelle conversation', { id: 'list.new' })}
        </button>
      </div>
      ${
        status === 'loading' && items.length === 0
          ? html`<p class="empty muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`
          : nothing
      }
      ${
        status === 'error' && !missingApi
          ? html`<p class="empty error" role="alert">
              ${msg('Impossible de charger les conversations.', { id: 'list.error' })}
              <button class="link" @click=${() => this.reload()}>${msg('Réessayer', { id: 'common.retry' })}</button>
            </p>`
          : nothing
      }
      ${
        (status === 'ready' || missingApi) && items.length === 0
          ? html`<div class="empty muted" role="status">
              <slot name="empty">${msg('Aucune conversation', { id: 'list.empty' })}</slot>
            </div>`
          : nothing
      }
      ${
        items.length
          ? html`<ul part="list" aria-label=${msg('Conversations', { id: 'list.label' })}>
              ${items.map((c) => {
                const unread = c.unreadCount ?? 0;
                const when = c.lastMessageAt ?? c.updatedAt;
                const tz = this.timeZone ?? this.session?.account?.timeZone;
                return html`<li>
                  <button class="item ${unread ? 'unread' : ''}" part="item"
                    @click=${() => this.open(c.id)}>
                    <span class="subject">${c.subject}</span>
                    <span class="when">${when ? formatShort(when, tz) : ''}</span>
                    ${
                      unread
                        ? html`<span class="badge" part="badge"
                            aria-label=${msg('non lus', { id: 'list.unread' })}>${unread}</span>`
                        : nothing
                    }
                  </button>
                </li>`;
              })}
            </ul>`
          : nothing
      }
    `;
  }

  private open(id: number) {
    this.dispatchEvent(
      new CustomEvent('relais-open-conversation', {
        detail: { id },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private newConversation() {
    this.dispatchEvent(
      new CustomEvent('relais-new-conversation', { bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-conversation-list': RelaisConversationList;
  }
}
