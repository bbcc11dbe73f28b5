import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { ConversationSummary } from '../api/conversations';
import { ConversationsController } from '../controllers/conversations-controller';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import { participantName } from '../format';
import { formatShort } from '../i18n';
import { botBadge, unverifiedBadge, unverifiedStyles } from '../identity-badge';
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
 * @fires relais-unread-change - `detail: { total }` when the number of unread messages changes.
 *
 * @slot empty - Replaces the "Aucune conversation" empty state.
 *
 * @csspart new-button - The "Nouvelle conversation" button.
 * @csspart list - The <ul> of conversations.
 * @csspart item - Each conversation button.
 * @csspart badge - The unread count.
 * @csspart unverified - "identité non vérifiée" beside a participant whose account came from
 *   an invitation and is not verified yet.
 */
@element('relais-conversation-list')
@localized()
export class RelaisConversationList extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
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
      .item[aria-current='true'] {
        background: var(--_surface);
        box-shadow: inset 4px 0 0 var(--_primary);
      }
      .preview {
        grid-column: 1;
        font-size: 0.9rem;
        color: var(--_muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .last {
        grid-column: 1 / -1;
      }
      .badge {
        grid-column: 2;
        grid-row: 2;
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

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));
  /** The id of the conversation shown beside the list (highlighted, its messages read). */
  @property({ type: Number }) selected: number | null = null;
  /** Time zone for times in the list (default: the account's, else the browser's). */
  @property({ attribute: 'time-zone' }) timeZone: string | null = null;

  readonly conversations = new ConversationsController(this, () => sessionFor(this));

  #unread = -1;

  protected override willUpdate(): void {
    this.conversations.openId = this.selected;
  }

  /** The total of unread messages, for a badge outside the list (fires on change). */
  get unreadTotal(): number {
    return this.conversations.items.reduce((sum, c) => sum + (c.unreadCount ?? 0), 0);
  }

  protected override updated(): void {
    const total = this.unreadTotal;
    if (total !== this.#unread) {
      this.#unread = total;
      this.dispatchEvent(
        new CustomEvent('relais-unread-change', {
          detail: { total },
          bubbles: true,
          composed: true,
        }),
      );
    }
  }

  /** Reloads the list (e.g. after a conversation was created). */
  reload(): Promise<void> {
    return this.conversations.reload();
  }

  override render() {
    const { status, items } = this.conversations;
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
        status === 'error'
          ? html`<p class="empty error" role="alert">
              ${msg('Impossible de charger les conversations.', { id: 'list.error' })}
              <button class="link" @click=${() => this.reload()}>${msg('Réessayer', { id: 'common.retry' })}</button>
            </p>`
          : nothing
      }
      ${
        status === 'ready' && items.length === 0
          ? html`<div class="empty muted" role="status">
              <slot name="empty">${msg('Aucune conversation', { id: 'list.empty' })}</slot>
            </div>`
          : nothing
      }
      ${
        items.length
          ? html`<ul part="list" aria-label=${msg('Conversations', { id: 'list.label' })}>
              ${items.map((c) => this.#item(c))}
            </ul>
            ${
              this.conversations.nextCursor
                ? html`<div class="toolbar"><button @click=${() => this.conversations.loadMore()}>
                    ${msg('Conversations plus anciennes', { id: 'list.more' })}</button></div>`
                : nothing
            }`
          : nothing
      }
    `;
  }

  #item(c: ConversationSummary) {
    const unread = c.unreadCount ?? 0;
    const tz = this.timeZone ?? sessionFor(this)?.account?.timeZone;
    const me = sessionFor(this)?.account;
    const others = c.participants
      .filter((p) => !(p.kind === 'account' && p.id === me?.id))
      .filter((p) => !(p.kind === 'professional' && p.id === me?.professionalId))
      .map(
        (p, i) =>
          html`${i ? ', ' : ''}${participantName(p)}${p.accountKind === 'bot' ? botBadge() : nothing}${
            p.identityVerified === false ? unverifiedBadge() : nothing
          }`,
      );
    const last = c.lastMessage;
    const author = last?.structure?.name ?? last?.sender?.firstName;
    // A message of files only (S3: a photo alone) is previewed by its files' names.
    const files = last?.attachments ?? [];
    const text = last?.body.trim()
      ? last.body
      : files.length
        ? `📎 ${files.map((f) => f.name).join(', ')}`
        : '';
    return html`<li>
      <button class="item ${unread ? 'unread' : ''}" part="item" data-id=${c.id}
        aria-current=${this.selected === c.id ? 'true' : 'false'}
        @click=${() => this.open(c.id)}>
        <span class="subject">${c.subject}</span>
        <span class="when">${formatShort(c.lastActivityAt, tz)}</span>
        <span class="preview">${others}</span>
        ${
          unread
            ? html`<span class="badge" part="badge"
                aria-label=${msg(str`${unread} non lus`, { id: 'list.unread' })}>${unread}</span>`
            : nothing
        }
        ${last ? html`<span class="preview last">${author ? `${author} : ` : ''}${text}</span>` : nothing}
      </button>
    </li>`;
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
