import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import {
  type Message,
  newMessageId,
  type ParticipantView,
  type ReadMarker,
} from '../api/conversations';
import { ApiError } from '../api/http';
import type { InviteTarget } from '../api/invitations';
import { ConversationController } from '../controllers/conversation-controller';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import { participantName, signatureLine } from '../format';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { theme } from '../styles/theme';
import './relais-invite';
import './relais-message-attachments';
import { botBadge, unverifiedBadge, unverifiedStyles } from '../identity-badge';
import { AttachmentsNotReady, type RelaisAttachmentPicker } from './relais-attachment-picker';

/**
 * One conversation: messages in real time, read receipts, and the answer box. A member of
 * a participating structure chooses to answer in person or on behalf of the structure
 * (S19); such answers show "MSF, expédié par MATHILDE le 30/03/26 à 12:25:32" (S20).
 * Message bodies are plain text: HTML in them is shown, never interpreted.
 *
 * @attr conversation-id - The conversation to show.
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @fires relais-back - The "back to the list" button was pressed.
 * @fires relais-message-sent - `detail: { message }` after a message was accepted.
 *
 * @csspart header - Subject and participants.
 * @csspart back - The back button.
 * @csspart messages - The list of messages.
 * @csspart message - Each message bubble (also `mine` on the user's own).
 * @csspart signature - The line under a message (S20).
 * @csspart unverified - The "identité non vérifiée" badge beside a participant or a sender.
 * @csspart receipt - "Lu par …" under the user's own messages (also `delivered` on
 *   "Distribué à …": received by their devices, not read yet).
 * @csspart composer - The answer form.
 * @csspart send - The "Envoyer" button.
 *
 * Files: <relais-message-attachments> under each message, <relais-attachment-picker> in the
 * composer (a message may be files only; sending waits for the uploads).
 */
@element('relais-conversation')
@localized()
export class RelaisConversation extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 60vh;
      }
      header {
        display: flex;
        gap: 0.5rem;
        align-items: flex-start;
        padding: 0.75rem 1rem;
        border-bottom: 1px solid var(--_divider);
      }
      header .titles {
        min-width: 0;
      }
      h2 {
        font-size: 1.15rem;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .participants {
        margin: 0.2rem 0 0;
        font-size: 0.9rem;
        color: var(--_muted);
      }
      .participants .structure {
        font-weight: 700;
      }
      .patient {
        margin: 0.2rem 0 0;
        font-size: 0.9rem;
      }
      .warning {
        background: var(--_warning-bg);
        color: var(--_warning-text);
        padding: 0.5rem 1rem;
        margin: 0;
        font-size: 0.9rem;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0.75rem 1rem;
        flex: 1;
        display: flex;
        flex-direction: column;
        gap: 0.75rem;
      }
      li {
        max-width: min(85%, 40rem);
        align-self: flex-start;
      }
      li.mine {
        align-self: flex-end;
      }
      .bubble {
        background: var(--_surface);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      li.mine .bubble {
        background: var(--relais-mine-background, #e3edf8);
      }
      .signature,
      .receipt {
        font-size: 0.8rem;
        color: var(--_muted);
        margin-top: 0.2rem;
      }
      li.mine .signature,
      li.mine .receipt {
        text-align: right;
      }
      form {
        display: grid;
        gap: 0.5rem;
        padding: 0.75rem 1rem;
        border-top: 1px solid var(--_divider);
        background: var(--_bg);
        position: sticky;
        bottom: 0;
      }
      .row {
        display: flex;
        gap: 0.5rem;
        align-items: flex-end;
      }
      textarea {
        resize: vertical;
        min-height: 3rem;
      }
      .as {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.5rem;
        align-items: center;
        font-size: 0.9rem;
      }
      .as select {
        width: auto;
        min-height: 36px;
        padding: 0.2em 0.4em;
      }
      .status {
        padding: 1rem;
      }
    `,
  ];

  @property({ type: Number, attribute: 'conversation-id' }) conversationId: number | null = null;
  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));

  @state() private sending = false;
  @state() private sendError: string | null = null;
  @state() private answerAs = '';
  @state() private inviting: InviteTarget | null = null;
  @state() private invited = new Set<string>();
  /** Files in the composer; sending waits for their uploads (`waitingUploads`). */
  @state() private files = 0;
  @state() private waitingUploads = false;

  @query('textarea') private textarea?: HTMLTextAreaElement;
  @query('ol') private list?: HTMLOListElement;
  @query('relais-attachment-picker') private picker?: RelaisAttachmentPicker;

  readonly data = new ConversationController(this, () => ({
    session: sessionFor(this),
    id: this.conversationId,
  }));

  #lastRenderedSeq = 0;
  /** The id of the message being typed: a retried send after a failure is not a duplicate. */
  #draftId = newMessageId();

  /** The structures the user may answer for here (participating and attached to). */
  private get answerChoices(): ParticipantView[] {
    const session = sessionFor(this);
    const mine = new Set((session?.me?.structures ?? []).map((s) => s.id));
    return (this.data.conversation?.participants ?? []).filter(
      (p) => p.kind === 'structure' && mine.has(p.id),
    );
  }

  /** Whether the user takes part in person (else they can only answer for a structure). */
  private get personal(): boolean {
    const account = sessionFor(this)?.account;
    if (!account) return true;
    return (this.data.conversation?.participants ?? []).some(
      (p) =>
        (p.kind === 'account' && p.id === account.id) ||
        (p.kind === 'professional' && p.id === account.professionalId),
    );
  }

  #focusWhenReady = false;

  /** Moves the focus to the subject once loaded (the app does it when opening a view). */
  focusHeading(): void {
    this.#focusWhenReady = true;
    this.requestUpdate();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    if (this.#focusWhenReady && this.data.status !== 'loading') {
      const heading = this.renderRoot.querySelector('h2');
      if (heading) {
        this.#focusWhenReady = false;
        heading.focus();
      }
    }
    const last = this.data.lastSeq;
    if (last !== this.#lastRenderedSeq && this.list) {
      this.#lastRenderedSeq = last;
      this.list.lastElementChild?.scrollIntoView({ block: 'end' });
    }
  }

  override render() {
    const { status, conversation, messages, error } = this.data;
    if (status === 'loading' && !conversation) {
      return html`<p class="status muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`;
    }
    if (status === 'error') {
      const notFound = error instanceof ApiError && (error.status === 404 || error.status === 403);
      return html`${this.#backButton()}<p class="status error" role="alert" data-state=${this.data.lost ? 'lost' : 'error'}>
        ${
          this.data.lost
            ? msg(
                'Vous n’avez plus accès à cette conversation (votre rattachement ou votre identité a changé).',
                { id: 'conversation.lost' },
              )
            : notFound
              ? msg('Cette conversation n’existe pas ou vous n’y participez pas.', {
                  id: 'conversation.not-found',
                })
              : msg('Impossible de charger la conversation.', { id: 'conversation.error' })
        }
      </p>`;
    }
    if (!conversation) return nothing;
    if (this.inviting) {
      return html`<relais-invite .session=${sessionFor(this)} .entry=${this.inviting}
        .conversationId=${conversation.id}
        @relais-back=${(e: Event) => {
          e.stopPropagation();
          this.inviting = null;
        }}
        @relais-invited=${(e: Event) => {
          e.stopPropagation();
          if (this.inviting) this.invited = new Set(this.invited).add(this.#key(this.inviting));
          this.inviting = null;
        }}></relais-invite>`;
    }
    const tz = sessionFor(this)?.account?.timeZone;
    const silent = conversation.participants.filter(
      (p) => p.kind === 'structure' && p.members === 0,
    );
    // S14 from inside a conversation: people without an account, or silent for 30 days.
    const away = conversation.participants.filter(
      (p) =>
        p.kind === 'professional' && (p.accountStatus === 'none' || p.accountStatus === 'inactive'),
    );
    return html`
      <header part="header">
        ${this.#backButton()}
        <div class="titles">
          <h2 tabindex="-1">${conversation.subject}</h2>
          ${this.#patient()}
          <p class="participants">
            ${conversation.participants.map(
              (
                p,
                i,
              ) => html`${i ? ', ' : ''}<span class=${p.kind === 'structure' ? 'structure' : ''}
                >${participantName(p)}${
                  p.kind === 'professional' && p.accountStatus === 'none'
                    ? html` <span class="muted">(${msg('pas de compte', { id: 'conversation.no-account' })})</span>`
                    : p.kind === 'professional' && p.accountStatus === 'inactive'
                      ? html` <span class="muted">(${msg('inactif', { id: 'conversation.inactive' })})</span>`
                      : nothing
                }${p.accountKind === 'bot' ? botBadge() : nothing}${
                  p.identityVerified === false ? unverifiedBadge() : nothing
                }</span>`,
            )}
          </p>
        </div>
      </header>
      ${silent.map(
        (s) => html`<p class="warning" role="note">
          ${msg(
            str`Personne n’est rattaché à ${s.name} pour la messagerie : votre message risque de rester sans réponse.`,
            { id: 'structure.nobody' },
          )}
          ${this.#inviteButton(s)}
        </p>`,
      )}
      ${away.map(
        (p) => html`<p class="warning" role="note">
          ${msg(
            str`${participantName(p)} n’a pas de compte ou ne s’est pas connecté depuis 30 jours : vos messages l’attendent.`,
            { id: 'conversation.away' },
          )}
          ${this.#inviteButton(p)}
        </p>`,
      )}
      ${
        this.data.hasMoreBefore
          ? html`<button class="link" @click=${() => this.data.loadOlder()}>
              ${msg('Messages précédents', { id: 'conversation.older' })}
            </button>`
          : nothing
      }
      <ol part="messages" aria-label=${msg('Messages', { id: 'conversation.messages' })} aria-live="polite">
        ${messages.map((m) => this.#message(m, tz))}
      </ol>
      ${this.#composer()}
    `;
  }

  #key(p: { kind: string; id: number }): string {
    return `${p.kind}:${p.id}`;
  }

  #inviteButton(p: ParticipantView) {
    if (this.invited.has(this.#key(p))) {
      return html`<strong>${msg('Invitation envoyée.', { id: 'conversation.invited' })}</strong>`;
    }
    return html`<button class="link" @click=${() => {
      this.inviting = {
        kind: p.kind === 'structure' ? 'structure' : 'professional',
        id: p.id,
        name: participantName(p),
      };
    }} aria-label=${msg(str`Inviter ${participantName(p)}`, { id: 'conversation.invite-label' })}>
      ${msg('Inviter', { id: 'conversation.invite' })}</button>`;
  }

  #backButton() {
    return html`<button class="link" part="back" @click=${this.#back}
      aria-label=${msg('Retour aux conversations', { id: 'conversation.back' })}>←</button>`;
  }

  #patient() {
    const patient = this.data.conversation?.patient;
    if (!patient) return nothing;
    const text =
      'ins' in patient
        ? `${patient.ins.birthName} ${patient.ins.firstName}, ${patient.ins.birthDate.split('-').reverse().join('/')} — INS ${patient.ins.matricule}`
        : patient.reference;
    return html`<p class="patient">${msg('Patient :', { id: 'conversation.patient' })} ${text}</p>`;
  }

  #message(m: Message, tz: string | null | undefined) {
    const account = sessionFor(this)?.account;
    const mine = m.mine ?? m.sender?.accountId === account?.id;
    const readers = mine ? this.data.readersOf(m) : [];
    const delivered = mine ? this.data.deliveredTo(m) : [];
    const names = (list: ReadMarker[]) =>
      list.map((r) => [r.firstName, r.lastName].filter(Boolean).join(' ')).join(', ');
    return html`<li class=${mine ? 'mine' : ''} data-seq=${m.seq}>
      ${m.body ? html`<div class="bubble" part=${mine ? 'message mine' : 'message'}>${m.body}</div>` : nothing}
      ${
        m.attachments?.length
          ? html`<relais-message-attachments .session=${sessionFor(this)}
              .attachments=${m.attachments}></relais-message-attachments>`
          : nothing
      }
      <div class="signature" part="signature">${signatureLine(m, tz)}${
        m.sender?.kind === 'bot' ? botBadge() : nothing
      }${m.sender?.identityVerified === false ? unverifiedBadge() : nothing}</div>
      ${
        readers.length
          ? html`<div class="receipt" part="receipt">
              ${msg(str`Lu par ${names(readers)}`, { id: 'conversation.read-by' })}
            </div>`
          : nothing
      }
      ${
        delivered.length
          ? html`<div class="receipt" part="receipt delivered">
              ${msg(str`Distribué à ${names(delivered)}`, { id: 'conversation.delivered-to' })}
            </div>`
          : nothing
      }
    </li>`;
  }

  #composer() {
    const choices = this.answerChoices;
    const personal = this.personal;
    const selectable = choices.length > (personal ? 0 : 1);
    return html`<form part="composer" @submit=${this.#submit}>
      ${
        selectable
          ? html`<div class="as">
              <label for="as">${msg('Répondre en tant que', { id: 'conversation.answer-as' })}</label>
              <select id="as" .value=${this.answerAs} @change=${(e: Event) => {
                this.answerAs = (e.target as HTMLSelectElement).value;
              }}>
                ${personal ? html`<option value="">${msg('moi-même', { id: 'conversation.as-me' })}</option>` : nothing}
                ${choices.map((s) => html`<option value=${String(s.id)}>${s.name}</option>`)}
              </select>
            </div>`
          : !personal && choices[0]
            ? html`<p class="as muted">${msg(str`Vous répondez au nom de ${choices[0].name}.`, { id: 'conversation.as-structure' })}</p>`
            : nothing
      }
      ${this.sendError ? html`<p class="error" role="alert">${this.sendError}</p>` : nothing}
      <relais-attachment-picker .session=${sessionFor(this)} .conversationId=${this.conversationId}
        @relais-attachments-change=${(e: CustomEvent<{ count: number }>) => {
          this.files = e.detail.count;
        }}></relais-attachment-picker>
      <div class="row">
        <label class="visually-hidden" for="body">${msg('Votre message', { id: 'conversation.body' })}</label>
        <textarea id="body" rows="2" maxlength="10000"
          placeholder=${msg('Écrire un message…', { id: 'conversation.placeholder' })}
          @keydown=${this.#keydown} @input=${this.#edited}></textarea>
        <button class="primary" part="send" type="submit" ?disabled=${this.sending}>
          ${
            this.waitingUploads
              ? msg('Envoi après téléversement…', { id: 'attach.send-waiting' })
              : msg('Envoyer', { id: 'conversation.send' })
          }
        </button>
      </div>
    </form>`;
  }

  #keydown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      (e.target as HTMLTextAreaElement).form?.requestSubmit();
    }
  };

  /** A changed text is a new message: it gets a new id. */
  #edited = () => {
    if (this.sendError) {
      this.#draftId = newMessageId();
      this.sendError = null;
    }
  };

  #back = () => {
    this.dispatchEvent(new CustomEvent('relais-back', { bubbles: true, composed: true }));
  };

  #submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const textarea = this.textarea;
    if (!textarea || (!textarea.value.trim() && !this.files)) return;
    const choices = this.answerChoices;
    let onBehalfOf: number | null = this.answerAs ? Number(this.answerAs) : null;
    if (!onBehalfOf && !this.personal) onBehalfOf = choices[0]?.id ?? null;
    this.sending = true;
    this.sendError = null;
    try {
      this.waitingUploads = this.picker?.uploading ?? false;
      const attachments = (await this.picker?.collect()) ?? [];
      this.waitingUploads = false;
      // Read after the uploads: what was typed meanwhile goes too.
      const body = textarea.value;
      if (!body.trim() && !attachments.length) return;
      const message = await this.data.send(body, onBehalfOf, this.#draftId, attachments);
      this.#draftId = newMessageId();
      textarea.value = '';
      this.picker?.clear();
      this.dispatchEvent(
        new CustomEvent('relais-message-sent', {
          detail: { message },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      this.sendError =
        err instanceof AttachmentsNotReady
          ? msg('Un fichier n’a pas pu être joint : réessayez-le ou retirez-le, puis envoyez.', {
              id: 'attach.not-ready',
            })
          : err instanceof ApiError && err.status === 400 && err.field?.startsWith('attachments')
            ? msg(str`Fichiers refusés : ${err.message}`, { id: 'attach.send-refused' })
            : err instanceof ApiError && err.unreachable
              ? msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
                  id: 'signin.unreachable',
                })
              : msg('Le message n’a pas pu être envoyé. Réessayez.', {
                  id: 'conversation.send-failed',
                });
    } finally {
      this.sending = false;
      this.waitingUploads = false;
      textarea.focus();
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-conversation': RelaisConversation;
  }
}
