import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  conversationsApi,
  type ExistingConversation,
  type InsIdentity,
  newMessageId,
} from '../api/conversations';
import { type DirectoryEntry, entryKey, entryName, refOf } from '../api/directory';
import { ApiError } from '../api/http';
import { DebouncedTask } from '../controllers/debounced-task';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import { formatShort } from '../i18n';
import { matriculeProblem, normalizeMatricule } from '../ins';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { chips, screen } from '../styles/screen';
import { theme } from '../styles/theme';
import './relais-recipient-picker';
import { AttachmentsNotReady, type RelaisAttachmentPicker } from './relais-attachment-picker';

type PatientMode = 'none' | 'ins' | 'reference';

/**
 * A new conversation (S2, S7, S17, S18): subject, optional patient (INS with its key
 * checked and the identity traits, or a free-text reference), first message, recipients
 * chosen with <relais-recipient-picker> and confirmed with VALIDER. Before sending, it
 * shows "1 conversation existante avec ces participants" with links (S17). A member of a
 * structure may write on its behalf.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @fires relais-conversation-created - `detail: { id, conversation }` once created.
 * @fires relais-open-conversation - `detail: { id }` when an existing conversation is chosen.
 * @fires relais-back - The back button was pressed.
 *
 * @csspart form - The form.
 * @csspart add-recipients - The "Ajouter des destinataires" button.
 * @csspart existing - The existing-conversations notice.
 * @csspart submit - The "Envoyer" button.
 */
@element('relais-new-conversation')
@localized()
export class RelaisNewConversation extends LitElement {
  static override styles = [
    theme,
    screen,
    chips,
    css`
      form {
        gap: 0.9rem;
        padding: 0.75rem 1rem 1rem;
      }
      .field {
        display: grid;
        gap: 0.25rem;
      }
      fieldset {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        padding: 0.5rem 0.75rem 0.75rem;
        margin: 0;
        display: grid;
        gap: 0.6rem;
      }
      legend {
        font-weight: 600;
        padding: 0 0.25rem;
      }
      .choices {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 1rem;
      }
      .choices label {
        font-weight: 400;
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
        min-height: 44px;
      }
      .choices input {
        width: auto;
        min-height: 0;
      }
      .two {
        display: grid;
        gap: 0.6rem;
        grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
      }
      .hint {
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .field-error {
        font-size: 0.85rem;
        color: var(--_danger);
      }
      textarea {
        min-height: 6rem;
        resize: vertical;
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .warning,
      .existing {
        background: var(--_warning-bg);
        color: var(--_warning-text);
        padding: 0.5rem 0.75rem;
        border-radius: var(--_radius);
        margin: 0;
        font-size: 0.95rem;
      }
      .existing {
        background: var(--_surface);
        color: var(--_text);
        border-left: 4px solid var(--_primary);
      }
      .existing ul {
        margin: 0.25rem 0 0;
        padding-left: 1.2rem;
      }
      .error-box {
        color: var(--_danger);
        margin: 0;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));

  @state() private recipients: DirectoryEntry[] = [];
  @state() private picking = false;
  @state() private patientMode: PatientMode = 'none';
  @state() private matricule = '';
  @state() private asStructure = '';
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private fieldErrors: Record<string, string> = {};
  /** Files of the first message; sending waits for their uploads (`waitingUploads`). */
  @state() private files = 0;
  @state() private waitingUploads = false;

  readonly existing = new DebouncedTask<ExistingConversation[]>(this, 200);
  #draftId = newMessageId();

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('recipients') || changed.has('asStructure')) this.#checkExisting();
  }

  #checkExisting(): void {
    const session = sessionFor(this);
    if (!session || !this.recipients.length) {
      this.existing.clear();
      return;
    }
    const refs = this.recipients.map(refOf);
    const onBehalfOf = this.asStructure ? Number(this.asStructure) : null;
    void this.existing.run(async (signal) => {
      const found = await conversationsApi.existing(session, refs, onBehalfOf, signal);
      return found.conversations;
    });
  }

  /** Moves the focus to the title (the app does it when opening a view). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus();
  }

  override render() {
    const structures = sessionFor(this)?.me?.structures ?? [];
    const errs = this.fieldErrors;
    // The form stays in the DOM while the picker is shown, so nothing typed is lost.
    return html`
      ${this.#picker()}
      <div ?hidden=${this.picking}>
      <div class="top">
        <button class="link" @click=${this.#back} aria-label=${msg('Retour aux conversations', { id: 'conversation.back' })}>←</button>
        <h2 tabindex="-1">${msg('Nouvelle conversation', { id: 'list.new' })}</h2>
      </div>
      <form part="form" novalidate @submit=${this.#submit} @input=${this.#edited}>
        ${
          structures.length
            ? html`<div class="field">
                <label for="as">${msg('Écrire en tant que', { id: 'new.as' })}</label>
                <select id="as" .value=${this.asStructure}
                  @change=${(e: Event) => (this.asStructure = (e.target as HTMLSelectElement).value)}>
                  <option value="">${msg('moi-même', { id: 'conversation.as-me' })}</option>
                  ${structures.map((s) => html`<option value=${String(s.id)}>${s.name}</option>`)}
                </select>
              </div>`
            : nothing
        }
        <div class="field">
          <label for="subject">${msg('Objet', { id: 'new.subject' })}</label>
          <input id="subject" name="subject" required maxlength="200" autocomplete="off"
            aria-invalid=${errs.subject ? 'true' : 'false'} aria-describedby="subject-error" />
          <span class="field-error" id="subject-error">${errs.subject ?? ''}</span>
        </div>
        ${this.#patientFields()}
        <div class="field">
          <label for="body">${msg('Message', { id: 'new.message' })}</label>
          <textarea id="body" name="body" required maxlength="10000"
            aria-invalid=${errs.body ? 'true' : 'false'} aria-describedby="body-error"></textarea>
          <span class="field-error" id="body-error">${errs.body ?? ''}</span>
        </div>
        <relais-attachment-picker .session=${sessionFor(this)}
          @relais-attachments-change=${(e: CustomEvent<{ count: number }>) => {
            this.files = e.detail.count;
          }}></relais-attachment-picker>
        <fieldset>
          <legend>${msg('Destinataires', { id: 'picker.title' })}</legend>
          ${
            this.recipients.length
              ? html`<ul class="chips" aria-label=${msg('Destinataires choisis', { id: 'picker.chosen' })}>
                  ${this.recipients.map(
                    (r) => html`<li class="chip ${r.kind}">${entryName(r)}
                      <button type="button" @click=${() => this.#remove(r)}
                        aria-label=${msg(str`Retirer ${entryName(r)} des destinataires`, { id: 'picker.remove' })}>×</button></li>`,
                  )}
                </ul>`
              : html`<span class="hint">${msg('Aucun destinataire pour l’instant.', { id: 'new.no-recipient' })}</span>`
          }
          <span class="field-error">${errs.recipients ?? ''}</span>
          <button type="button" part="add-recipients" id="add-recipients" @click=${this.#openPicker}>
            + ${msg('Ajouter des destinataires', { id: 'new.add-recipients' })}
          </button>
          ${this.#warnings()}
          ${this.#existing()}
        </fieldset>
        ${this.error ? html`<p class="error-box" role="alert">${this.error}</p>` : nothing}
        <button class="primary" part="submit" type="submit" ?disabled=${this.busy}>
          ${
            this.waitingUploads
              ? msg('Envoi après téléversement…', { id: 'attach.send-waiting' })
              : msg('Envoyer', { id: 'conversation.send' })
          }
        </button>
      </form>
      </div>
    `;
  }

  #pickerOpened = false;

  #picker() {
    if (!this.picking && !this.#pickerOpened) return nothing;
    this.#pickerOpened = true;
    return html`<relais-recipient-picker show-header ?hidden=${!this.picking}
      .session=${sessionFor(this)} .recipients=${this.recipients}
      @relais-recipients-change=${(e: CustomEvent<{ recipients: DirectoryEntry[] }>) => {
        this.recipients = e.detail.recipients;
      }}
      @relais-validate=${(e: CustomEvent<{ recipients: DirectoryEntry[] }>) => {
        e.stopPropagation();
        this.recipients = e.detail.recipients;
        this.picking = false;
        void this.#focusAfterPicking();
      }}
      @relais-back=${(e: Event) => {
        e.stopPropagation();
        this.picking = false;
        void this.#focusAfterPicking();
      }}></relais-recipient-picker>`;
  }

  #patientFields() {
    const errs = this.fieldErrors;
    const problem = this.matricule ? matriculeProblem(this.matricule) : null;
    const problemText =
      problem === 'length'
        ? msg('15 caractères attendus (NIR de 13 caractères et clé de 2 chiffres).', {
            id: 'ins.length',
          })
        : problem === 'shape'
          ? msg('Ce n’est pas un NIR suivi de sa clé.', { id: 'ins.shape' })
          : problem === 'key'
            ? msg('Clé incorrecte : vérifiez la saisie.', { id: 'ins.key' })
            : '';
    const radio = (mode: PatientMode, label: string) =>
      html`<label><input type="radio" name="patient-mode" .checked=${this.patientMode === mode}
        @change=${() => (this.patientMode = mode)} />${label}</label>`;
    return html`<fieldset>
      <legend>${msg('Patient (facultatif)', { id: 'new.patient' })}</legend>
      <div class="choices">
        ${radio('none', msg('Aucun', { id: 'new.patient-none' }))}
        ${radio('ins', msg('Identité INS', { id: 'new.patient-ins' }))}
        ${radio('reference', msg('Référence libre', { id: 'new.patient-reference' }))}
      </div>
      ${
        this.patientMode === 'ins'
          ? html`<div class="field">
                <label for="matricule">${msg('Matricule INS', { id: 'ins.matricule' })}</label>
                <input id="matricule" name="matricule" inputmode="numeric" maxlength="21"
                  autocomplete="off" .value=${this.matricule}
                  aria-invalid=${problem || errs['patient.ins.matricule'] ? 'true' : 'false'}
                  aria-describedby="matricule-error"
                  @input=${(e: Event) => (this.matricule = (e.target as HTMLInputElement).value)} />
                <span class="field-error" id="matricule-error" aria-live="polite">${problemText || errs['patient.ins.matricule'] || ''}</span>
              </div>
              <div class="two">
                <div class="field">
                  <label for="birth-name">${msg('Nom de naissance', { id: 'ins.birth-name' })}</label>
                  <input id="birth-name" name="birthName" autocomplete="off" />
                </div>
                <div class="field">
                  <label for="first-name">${msg('Prénom', { id: 'ins.first-name' })}</label>
                  <input id="first-name" name="firstName" autocomplete="off" />
                </div>
                <div class="field">
                  <label for="birth-date">${msg('Date de naissance', { id: 'ins.birth-date' })}</label>
                  <input id="birth-date" name="birthDate" type="date" />
                </div>
                <div class="field">
                  <label for="sex">${msg('Sexe', { id: 'ins.sex' })}</label>
                  <select id="sex" name="sex">
                    <option value="F">${msg('Féminin', { id: 'ins.female' })}</option>
                    <option value="M">${msg('Masculin', { id: 'ins.male' })}</option>
                    <option value="I">${msg('Indéterminé', { id: 'ins.undetermined' })}</option>
                  </select>
                </div>
              </div>
              <span class="field-error">${errs.patient ?? ''}</span>`
          : nothing
      }
      ${
        this.patientMode === 'reference'
          ? html`<div class="field">
              <label for="reference">${msg('Référence du patient', { id: 'new.reference' })}</label>
              <input id="reference" name="reference" maxlength="200" autocomplete="off"
                placeholder=${msg('ex. Mme D., chambre 12', { id: 'new.reference-example' })} />
              <span class="field-error">${errs.patient ?? ''}</span>
            </div>`
          : nothing
      }
    </fieldset>`;
  }

  #warnings() {
    return this.recipients
      .filter((r) => r.kind === 'structure' && (r.nobodyAttached || r.memberCount === 0))
      .map(
        (s) => html`<p class="warning" role="note">
          ${msg(
            str`Personne n’est rattaché à ${entryName(s)} pour la messagerie : votre message risque de rester sans réponse.`,
            { id: 'structure.nobody' },
          )}
        </p>`,
      );
  }

  #existing() {
    const found = this.existing.value ?? [];
    if (!this.recipients.length || !found.length) return nothing;
    const tz = sessionFor(this)?.account?.timeZone;
    return html`<div class="existing" part="existing" role="note">
      ${
        found.length === 1
          ? msg('1 conversation existante avec ces participants', { id: 'new.existing-one' })
          : msg(str`${found.length} conversations existantes avec ces participants`, {
              id: 'new.existing-many',
            })
      }
      <ul>
        ${found.map(
          (c) => html`<li><button type="button" class="link" @click=${() => this.#open(c.id)}>
            ${c.subject}</button> <span class="muted">(${formatShort(c.lastActivityAt, tz)})</span></li>`,
        )}
      </ul>
    </div>`;
  }

  #openPicker = async () => {
    this.picking = true;
    await this.updateComplete;
    const picker = this.renderRoot.querySelector('relais-recipient-picker');
    await picker?.updateComplete;
    (picker?.renderRoot.querySelector('input') as HTMLInputElement | null)?.focus();
  };

  async #focusAfterPicking(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('#add-recipients') as HTMLElement | null)?.focus();
  }

  #remove(r: DirectoryEntry): void {
    this.recipients = this.recipients.filter((x) => entryKey(x) !== entryKey(r));
  }

  #open(id: number): void {
    this.dispatchEvent(
      new CustomEvent('relais-open-conversation', {
        detail: { id },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #back = () => {
    this.dispatchEvent(new CustomEvent('relais-back', { bubbles: true, composed: true }));
  };

  /** Any edit after a failure makes a new message: it gets a new id. */
  #edited = () => {
    if (this.error) {
      this.#draftId = newMessageId();
      this.error = null;
    }
  };

  #value(name: string): string {
    const el = this.renderRoot.querySelector(`[name="${name}"]`) as
      | HTMLInputElement
      | HTMLTextAreaElement
      | HTMLSelectElement
      | null;
    return el?.value ?? '';
  }

  #submit = async (e: SubmitEvent) => {
    e.preventDefault();
    const session = sessionFor(this);
    if (!session) return;
    const errs: Record<string, string> = {};
    const subject = this.#value('subject').trim();
    if (!subject) errs.subject = msg('Saisissez l’objet.', { id: 'new.subject-missing' });
    if (!this.#value('body').trim() && !this.files)
      errs.body = msg('Écrivez votre message.', { id: 'new.body-missing' });
    if (!this.recipients.length) {
      errs.recipients = msg('Ajoutez au moins un destinataire.', { id: 'new.recipients-missing' });
    }
    let patient: { ins: InsIdentity } | { reference: string } | null = null;
    if (this.patientMode === 'ins') {
      const ins = {
        matricule: normalizeMatricule(this.matricule),
        oid: null,
        birthName: this.#value('birthName').trim(),
        firstName: this.#value('firstName').trim(),
        birthDate: this.#value('birthDate'),
        sex: this.#value('sex') as InsIdentity['sex'],
      };
      if (matriculeProblem(ins.matricule)) {
        errs['patient.ins.matricule'] = msg('Matricule INS invalide.', { id: 'ins.invalid' });
      }
      if (!ins.birthName || !ins.firstName || !ins.birthDate) {
        errs.patient = msg('Complétez les traits d’identité (nom, prénom, date de naissance).', {
          id: 'ins.traits-missing',
        });
      }
      patient = { ins };
    } else if (this.patientMode === 'reference') {
      const reference = this.#value('reference').trim();
      if (!reference)
        errs.patient = msg('Saisissez la référence du patient.', { id: 'new.reference-missing' });
      patient = { reference };
    }
    this.fieldErrors = errs;
    if (Object.keys(errs).length) {
      await this.updateComplete;
      (this.renderRoot.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      return;
    }
    this.busy = true;
    this.error = null;
    const picker = this.renderRoot.querySelector<RelaisAttachmentPicker>(
      'relais-attachment-picker',
    );
    try {
      this.waitingUploads = picker?.uploading ?? false;
      const attachments = (await picker?.collect()) ?? [];
      this.waitingUploads = false;
      const body = this.#value('body'); // Read after the uploads: typed meanwhile goes too.
      const { conversation } = await conversationsApi.create(session, {
        subject,
        patient,
        recipients: this.recipients.map(refOf),
        message: { id: this.#draftId, body, ...(attachments.length ? { attachments } : {}) },
        onBehalfOf: this.asStructure ? Number(this.asStructure) : null,
      });
      this.#draftId = newMessageId();
      picker?.clear();
      this.dispatchEvent(
        new CustomEvent('relais-conversation-created', {
          detail: { id: conversation.id, conversation },
          bubbles: true,
          composed: true,
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 400 && err.field) {
        this.fieldErrors = {
          [err.field.startsWith('patient') && err.field !== 'patient.ins.matricule'
            ? 'patient'
            : err.field]: err.message,
        };
      }
      this.error =
        err instanceof AttachmentsNotReady
          ? msg('Un fichier n’a pas pu être joint : réessayez-le ou retirez-le, puis envoyez.', {
              id: 'attach.not-ready',
            })
          : err instanceof ApiError && err.unreachable
            ? msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
                id: 'signin.unreachable',
              })
            : msg('La conversation n’a pas pu être créée.', { id: 'new.failed' });
    } finally {
      this.busy = false;
      this.waitingUploads = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-new-conversation': RelaisNewConversation;
  }
}
