import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { query, state } from 'lit/decorators.js';
import { element } from '../define';
import { theme } from '../styles/theme';

/**
 * An image full screen: a modal `<dialog>` with the full-size picture, its name and
 * "Fermer". Escape closes it too, and the focus goes back to what opened it.
 *
 * @fires relais-viewer-error - The image failed to load (an expired URL): `detail: { src }`.
 *
 * @csspart dialog - The dialog.
 * @csspart close - The "Fermer" button.
 */
@element('relais-attachment-viewer')
@localized()
export class RelaisAttachmentViewer extends LitElement {
  static override styles = [
    theme,
    css`
      dialog {
        width: 100%;
        height: 100%;
        max-width: none;
        max-height: none;
        padding: 0;
        border: none;
        background: #000;
        color: #fff;
      }
      div {
        display: grid;
        grid-template-rows: auto 1fr;
        height: 100%;
      }
      p {
        display: flex;
        align-items: center;
        justify-content: space-between;
        margin: 0;
        padding: 0.25rem 0.5rem;
      }
      button {
        color: inherit;
        border-color: currentColor;
        background: none;
      }
      img {
        width: 100%;
        height: 100%;
        object-fit: contain;
        min-height: 0;
      }
    `,
  ];

  @state() private src = '';
  @state() private name = '';
  @query('dialog') private dialog?: HTMLDialogElement;

  private opener: HTMLElement | null = null;

  /** Opens the image; `opener` gets the focus back when it closes. */
  async show(src: string, name: string, opener?: HTMLElement | null): Promise<void> {
    this.src = src;
    this.name = name;
    this.opener = opener ?? null;
    await this.updateComplete;
    if (!this.dialog?.open) this.dialog?.showModal();
    (this.renderRoot.querySelector('button') as HTMLElement | null)?.focus();
  }

  /** A fresh URL for the image shown (after the old one expired). */
  replaceSource(src: string): void {
    this.src = src;
  }

  close(): void {
    this.dialog?.close();
  }

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  override render() {
    return html`<dialog part="dialog" aria-label=${this.name} @close=${this.closed}>
      <div>
        <p>
          <span class="name">${this.name}</span>
          <button type="button" part="close" @click=${() => this.close()}>
            ${msg('Fermer', { id: 'attach.close' })}</button>
        </p>
        ${this.src ? html`<img src=${this.src} alt=${this.name} @error=${this.failed} />` : nothing}
      </div>
    </dialog>`;
  }

  private failed = () => {
    this.dispatchEvent(
      new CustomEvent('relais-viewer-error', {
        detail: { src: this.src },
        bubbles: true,
        composed: true,
      }),
    );
  };

  private closed = () => {
    const opener = this.opener;
    this.opener = null;
    this.src = '';
    opener?.focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-attachment-viewer': RelaisAttachmentViewer;
  }
}
