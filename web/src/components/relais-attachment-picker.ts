import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { MAX_FILES_PER_MESSAGE } from '../api/attachments';
import { UploadsController } from '../controllers/uploads-controller';
import { element } from '../define';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { theme } from '../styles/theme';
import './relais-upload-chip';

/** What "Document" offers: PDF, office files, text, audio and video (the server decides). */
export const DOCUMENT_ACCEPT =
  'application/pdf,.pdf,.doc,.docx,.odt,.xls,.xlsx,.ods,.ppt,.pptx,.odp,.rtf,.txt,.csv,text/plain,audio/*,video/*';

/** Thrown by `collect()` when a file holds the message back (failed or refused). */
export class AttachmentsNotReady extends Error {}

/**
 * The files of a message being written, for a conversation's composer or the
 * new-conversation form. Three ways to add them: "Prendre une photo" (the device camera,
 * `capture="environment"`), "Image" (the gallery, images and videos) and "Document" (PDF,
 * office, text, audio, video), up to 10 per message. Each file uploads as soon as it is
 * picked and shows as a <relais-upload-chip> (progress, cancel, state). The form calls
 * `collect()` when the user sends: it waits for the uploads and gives the ids to send
 * (or throws AttachmentsNotReady when one failed or was refused: its chip says why,
 * nothing typed is lost); then `clear()` once the message is accepted.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 * @prop conversationId - The conversation the files are for (absent in a new one).
 *
 * @fires relais-attachments-change - `detail: { count, uploading }` whenever files change.
 *
 * @csspart camera - The "Prendre une photo" button.
 * @csspart image - The "Image" button.
 * @csspart document - The "Document" button.
 * @csspart files - The list of chips.
 */
@element('relais-attachment-picker')
@localized()
export class RelaisAttachmentPicker extends LitElement {
  static override styles = [
    theme,
    css`
      :host,
      ul {
        display: grid;
        gap: 0.4rem;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      div {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      button {
        padding: 0.3em 0.8em;
        font-size: 0.9rem;
      }
      input {
        display: none;
      }
      p {
        margin: 0;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;
  @property({ attribute: false }) conversationId: number | null = null;

  readonly uploads = new UploadsController(this, () => ({
    session: sessionFor(this),
    conversationId: this.conversationId,
  }));

  private signal = '';

  /** Files attached (whatever their state). */
  get count(): number {
    return this.uploads.items.length;
  }

  /** Any file still uploading. */
  get uploading(): boolean {
    return this.uploads.uploading;
  }

  /** Waits for the uploads, then gives the ids to send (see above). */
  async collect(): Promise<string[]> {
    await this.uploads.settled();
    if (this.uploads.blocking.length) throw new AttachmentsNotReady();
    return this.uploads.ids();
  }

  /** The message was sent: its files go with it. */
  clear(): void {
    this.uploads.clear();
  }

  protected override updated(): void {
    const detail = { count: this.count, uploading: this.uploading };
    const signal = JSON.stringify(detail);
    if (signal === this.signal) return;
    this.signal = signal;
    this.dispatchEvent(
      new CustomEvent('relais-attachments-change', { detail, bubbles: true, composed: true }),
    );
  }

  override render() {
    const { items, notice } = this.uploads;
    const full = items.length >= MAX_FILES_PER_MESSAGE;
    const action = (id: string, label: string, icon: string) =>
      html`<button type="button" part=${id} ?disabled=${full}
        @click=${() => this.renderRoot.querySelector<HTMLInputElement>(`#${id}`)?.click()}
        ><span aria-hidden="true">${icon}</span> ${label}</button>`;
    return html`<div role="group" aria-label=${msg('Joindre des fichiers', { id: 'attach.add' })}>
        ${action('camera', msg('Prendre une photo', { id: 'attach.camera' }), '📷')}
        ${action('image', msg('Image', { id: 'attach.image' }), '🖼')}
        ${action('document', msg('Document', { id: 'attach.document' }), '📄')}
        <input type="file" id="camera" accept="image/*" capture="environment" @change=${this.picked} />
        <input type="file" id="image" accept="image/*,video/*" multiple @change=${this.picked} />
        <input type="file" id="document" accept=${DOCUMENT_ACCEPT} multiple @change=${this.picked} />
      </div>
      ${notice ? html`<p class="error" role="alert">${notice}</p>` : nothing}
      ${
        items.length
          ? html`<ul part="files" aria-label=${msg('Fichiers joints', { id: 'attach.files' })}
              @relais-upload-cancel=${(e: CustomEvent<{ key: string }>) => this.uploads.remove(e.detail.key)}
              @relais-upload-retry=${(e: CustomEvent<{ key: string }>) => this.uploads.retry(e.detail.key)}>
              ${items.map((item) => html`<li><relais-upload-chip .item=${item}></relais-upload-chip></li>`)}
            </ul>`
          : nothing
      }`;
  }

  private picked = (e: Event) => {
    const input = e.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = ''; // The same file may be picked again (after removing it).
    if (files.length) this.uploads.add(files);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-attachment-picker': RelaisAttachmentPicker;
  }
}
