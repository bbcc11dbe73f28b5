import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, query } from 'lit/decorators.js';
import { element } from '../define';
import { theme } from '../styles/theme';

/**
 * A confirmation asked before a decision that cannot be undone from here (approve or
 * refuse a membership request, verify or reject an identity): a modal `alertdialog`
 * (the browser's <dialog>: focus kept inside, Escape cancels, focus back where it was).
 * The focus starts on "Annuler".
 *
 * @attr heading - The question, the dialog's accessible name.
 * @attr text - What will happen, its description.
 * @attr confirm-label - The confirming button (default "Confirmer").
 * @attr busy - Set while the decision is sent: the buttons are disabled.
 *
 * @fires relais-confirm - "Confirmer" pressed (the dialog stays open: call `close()`).
 * @fires relais-cancel - "Annuler" or Escape (the dialog is closed).
 *
 * @csspart dialog - The dialog box.
 * @csspart confirm - The confirming button.
 */
@element('relais-confirm')
@localized()
export class RelaisConfirm extends LitElement {
  static override styles = [
    theme,
    css`
      dialog {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        background: var(--_bg);
        color: var(--_text);
        padding: 1rem;
        width: min(30rem, calc(100vw - 2rem));
      }
      dialog::backdrop {
        background: rgb(0 0 0 / 0.4);
      }
      h2 {
        font-size: 1.1rem;
        margin: 0 0 0.5rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        justify-content: flex-end;
        gap: 0.5rem;
        margin-top: 1rem;
      }
    `,
  ];

  @property() heading = '';
  @property() text = '';
  @property({ attribute: 'confirm-label' }) confirmLabel: string | null = null;
  @property({ type: Boolean, reflect: true }) busy = false;

  @query('dialog') private dialog!: HTMLDialogElement;
  @query('.cancel') private cancelButton!: HTMLButtonElement;

  get open(): boolean {
    return this.dialog?.open ?? false;
  }

  async show(): Promise<void> {
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    this.cancelButton.focus();
  }

  close(): void {
    if (this.dialog?.open) this.dialog.close();
  }

  #cancel = (e?: Event) => {
    e?.preventDefault();
    if (this.busy) return;
    this.close();
    this.dispatchEvent(new CustomEvent('relais-cancel', { bubbles: true, composed: true }));
  };

  #confirm = () => {
    if (this.busy) return;
    this.dispatchEvent(new CustomEvent('relais-confirm', { bubbles: true, composed: true }));
  };

  override render() {
    return html`<dialog part="dialog" role="alertdialog" aria-labelledby="heading"
      aria-describedby="text" @cancel=${this.#cancel}>
      <h2 id="heading">${this.heading}</h2>
      ${this.text ? html`<p id="text">${this.text}</p>` : nothing}
      <div class="actions">
        <button class="cancel" ?disabled=${this.busy} @click=${() => this.#cancel()}>
          ${msg('Annuler', { id: 'common.cancel' })}</button>
        <button class="primary" part="confirm" ?disabled=${this.busy} aria-busy=${this.busy ? 'true' : 'false'}
          @click=${this.#confirm}>${this.confirmLabel ?? msg('Confirmer', { id: 'common.confirm' })}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-confirm': RelaisConfirm;
  }
}
