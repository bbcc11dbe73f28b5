import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { formatSize, reasonText } from '../api/attachments';
import type { UploadItem } from '../controllers/uploads-controller';
import { element } from '../define';
import { attachmentStyles } from '../styles/attachments';
import { theme } from '../styles/theme';

/**
 * One file of a message being written: its name and size, a progress bar while it
 * uploads (with "Annuler"), then "analyse en cours…", "prêt" or why it was refused; a
 * failed upload says why, with "Réessayer" and "Retirer".
 *
 * @prop item - The file (uploads-controller's UploadItem).
 *
 * @fires relais-upload-cancel - `detail: { key }`: cancel the upload, or remove the file.
 * @fires relais-upload-retry - `detail: { key }`: try a failed upload again.
 *
 * @csspart chip - The whole chip (also `failed` or `refused`).
 * @csspart progress - The progress bar.
 * @csspart cancel - The cancel / remove button.
 * @csspart retry - The retry button.
 */
@element('relais-upload-chip')
@localized()
export class RelaisUploadChip extends LitElement {
  static override styles = [
    theme,
    attachmentStyles,
    css`
      div {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 0.5rem;
        align-items: center;
        background: var(--_surface);
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        padding: 0.3rem 0.3rem 0.3rem 0.7rem;
      }
      .bad {
        border-color: var(--_danger);
      }
      .title {
        flex: 1;
        min-width: 0;
      }
      progress,
      p {
        flex-basis: 100%;
        font-size: 0.85rem;
        margin: 0;
      }
      button {
        min-height: 36px;
        padding: 0.1em 0.6em;
      }
    `,
  ];

  @property({ attribute: false }) item: UploadItem | null = null;

  override render() {
    const item = this.item;
    if (!item) return nothing;
    const bad = item.phase === 'failed' || item.phase === 'refused';
    const sending = item.phase === 'uploading' || item.phase === 'retrying';
    const name = item.name;
    return html`<div class="chip ${bad ? 'bad' : ''}" part=${`chip${bad ? ` ${item.phase}` : ''}`}
      data-phase=${item.phase}>
      <span class="title"><span class="name">${name}</span>
        <span class="size">${formatSize(item.size)}</span></span>
      <span>
        ${
          item.phase === 'failed'
            ? html`<button type="button" part="retry" @click=${() => this.fire('relais-upload-retry')}
                aria-label=${msg(str`Réessayer le téléversement de ${name}`, { id: 'upload.retry-label' })}
                >${msg('Réessayer', { id: 'common.retry' })}</button>`
            : nothing
        }
        <button type="button" part="cancel" @click=${() => this.fire('relais-upload-cancel')}
          aria-label=${
            sending
              ? msg(str`Annuler le téléversement de ${name}`, { id: 'upload.cancel-label' })
              : msg(str`Retirer ${name} du message`, { id: 'upload.remove-label' })
          }>${sending ? msg('Annuler', { id: 'upload.cancel' }) : '×'}</button>
      </span>
      ${sending ? this.progress(item) : this.renderState(item)}
    </div>`;
  }

  private progress(item: UploadItem) {
    const name = item.name;
    return html`<progress max=${Math.max(item.total, 1)} .value=${item.sent}
        aria-label=${msg(str`Téléversement de ${name}`, { id: 'upload.progress' })}></progress>
      ${
        item.phase === 'retrying'
          ? html`<p class="muted" role="status">${msg('Connexion perdue : reprise automatique…', { id: 'upload.retrying' })}</p>`
          : nothing
      }`;
  }

  private renderState(item: UploadItem) {
    switch (item.phase) {
      case 'processing':
        return html`<p class="muted" role="status">${msg('analyse en cours…', { id: 'attach.pending' })}</p>`;
      case 'ready':
        return html`<p role="status">✓ ${msg('prêt', { id: 'upload.ready' })}
          ${
            item.view && !item.view.scanned
              ? html`<span class="badge">${msg('non analysé', { id: 'attach.not-scanned' })}</span>`
              : nothing
          }</p>`;
      case 'refused':
        return html`<p class="error" role="alert">${reasonText(item.view?.reason ?? null, item.view?.status)}</p>`;
      case 'failed':
        return html`<p class="error" role="alert">${item.error}</p>`;
      default:
        return nothing;
    }
  }

  private fire(type: string): void {
    if (!this.item) return;
    this.dispatchEvent(
      new CustomEvent(type, { detail: { key: this.item.key }, bubbles: true, composed: true }),
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-upload-chip': RelaisUploadChip;
  }
}
