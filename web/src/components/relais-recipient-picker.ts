import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  type DirectoryEntry,
  directoryApi,
  entryKey,
  entryName,
  type GroupSummary,
  type SearchResult,
  type StructureEntry,
  type StructureMember,
  type Suggestion,
} from '../api/directory';
import { needsInvitation } from '../api/invitations';
import { DebouncedTask } from '../controllers/debounced-task';
import { GroupsController } from '../controllers/groups-controller';
import { SessionWatcher } from '../controllers/session-watcher';
import { StructureMembersController } from '../controllers/structure-members-controller';
import { element } from '../define';
import { botBadge, unverifiedBadge, unverifiedStyles } from '../identity-badge';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { chips, screen } from '../styles/screen';
import { theme } from '../styles/theme';
import './relais-invite';

type SuggestField = 'profession' | 'place';

/**
 * The recipient picker (S4–S13, S18): three clearable search fields — "Nom, prénom,
 * identifiant structure", "Profession, spécialité", "Ville, département" — with results as
 * you type (and suggestions for the last two); each result shows its account status
 * (S10); structures with professionals attached to the chat are in bold (S11) and can
 * list them (S12); a structure with nobody attached gets a warning when chosen (S13); a
 * star adds or removes a favourite, favourites come first under a star (S8); favourite
 * groups add all their members in one tap, and the chosen recipients can be saved as a
 * group (S9); the chosen recipients are removable chips (S7); VALIDER confirms (S18).
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @prop recipients - The chosen entries (DirectoryEntry[]), in and out.
 *
 * @fires relais-recipients-change - `detail: { recipients }` whenever the choice changes.
 * @fires relais-validate - `detail: { recipients }` when VALIDER is pressed.
 * @fires relais-back - The back button was pressed.
 *
 * @csspart chips - The chosen recipients.
 * @csspart search - The search form.
 * @csspart entry - Each result row.
 * @csspart star - The favourite buttons.
 * @csspart validate - The VALIDER button.
 * @csspart unverified - "identité non vérifiée" beside an attached professional whose account
 *   came from an invitation and is not verified yet.
 */
@element('relais-recipient-picker')
@localized()
export class RelaisRecipientPicker extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
    screen,
    chips,
    css`
      form {
        gap: 0.6rem;
        padding: 0.75rem 1rem;
      }
      .field {
        position: relative;
      }
      .field label {
        display: block;
        font-size: 0.9rem;
        margin-bottom: 0.2rem;
      }
      .field input {
        padding-right: 2.8rem;
      }
      .clear {
        position: absolute;
        right: 2px;
        bottom: 2px;
        min-height: 40px;
        width: 40px;
        padding: 0;
        border: none;
        background: transparent;
        color: var(--_muted);
        font-size: 1.3rem;
        line-height: 1;
      }
      [role='listbox'] {
        position: absolute;
        z-index: 2;
        left: 0;
        right: 0;
        margin: 2px 0 0;
        padding: 0.25rem 0;
        list-style: none;
        background: var(--_bg);
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        box-shadow: 0 4px 14px rgb(0 0 0 / 0.15);
        max-height: 16rem;
        overflow: auto;
      }
      [role='option'] {
        padding: 0.55rem 0.75rem;
        cursor: pointer;
      }
      [role='option'][aria-selected='true'],
      [role='option']:hover {
        background: var(--_surface);
      }
      .chips {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        padding: 0.5rem 1rem 0;
        margin: 0;
        list-style: none;
      }
      .chip {
        gap: 0.2rem;
      }
      .chip button {
        font-size: 1.1rem;
      }
      .prompt {
        margin: 0.5rem 1rem 0;
        padding: 0.75rem;
        border: 2px solid var(--_primary);
        border-radius: var(--_radius);
        background: var(--_bg);
      }
      .prompt p {
        margin: 0 0 0.5rem;
      }
      .prompt-actions {
        display: flex;
        gap: 0.5rem;
        justify-content: flex-end;
      }
      .prompt-actions button {
        min-width: 5rem;
      }
      .warning {
        background: var(--_warning-bg);
        color: var(--_warning-text);
        margin: 0.5rem 1rem 0;
        padding: 0.5rem 0.75rem;
        border-radius: var(--_radius);
        font-size: 0.9rem;
      }
      h3 {
        font-size: 1rem;
        margin: 0.75rem 1rem 0.25rem;
      }
      ul.entries {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .entry {
        display: grid;
        grid-template-columns: 1fr auto auto;
        align-items: center;
        border-top: 1px solid var(--_divider);
      }
      .pick {
        display: grid;
        gap: 0.1rem;
        text-align: left;
        border: none;
        border-radius: 0;
        background: transparent;
        color: var(--_text);
        padding: 0.55rem 0.5rem 0.55rem 1rem;
        min-width: 0;
      }
      .pick[aria-pressed='true'] {
        background: var(--relais-selected-background, #e3edf8);
        box-shadow: inset 4px 0 0 var(--_primary);
      }
      .name {
        font-weight: 400;
        overflow-wrap: anywhere;
      }
      .name.attached {
        font-weight: 800;
      }
      .meta {
        font-size: 0.85rem;
        color: var(--_muted);
      }
      .status {
        font-size: 0.85rem;
      }
      .status-active {
        color: var(--relais-status-active, #1b6e2f);
      }
      .status-inactive {
        color: var(--relais-status-inactive, #805300);
      }
      .status-invited {
        color: var(--_primary);
      }
      .status-none {
        color: var(--_muted);
      }
      .icon {
        border: none;
        background: transparent;
        min-width: 44px;
        padding: 0;
        font-size: 1.3rem;
        color: var(--_muted);
      }
      .star[aria-pressed='true'] {
        color: var(--relais-star, #a35f00);
      }
      .members {
        grid-column: 1 / -1;
        margin: 0 1rem 0.5rem 2rem;
        padding: 0;
        list-style: none;
        font-size: 0.9rem;
      }
      .members li {
        padding: 0.2rem 0;
      }
      details {
        margin: 0.5rem 1rem 0;
      }
      summary {
        cursor: pointer;
        font-weight: 600;
        min-height: 44px;
        display: flex;
        align-items: center;
      }
      .groups {
        list-style: none;
        padding: 0;
        margin: 0;
      }
      .groups li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: center;
        padding: 0.3rem 0;
      }
      .groups li span {
        margin-right: auto;
      }
      .new-group {
        display: flex;
        gap: 0.4rem;
        margin-top: 0.4rem;
      }
      .status-line {
        padding: 0.25rem 1rem;
        font-size: 0.9rem;
      }
      .more {
        padding: 0.5rem 1rem;
      }
      footer {
        position: sticky;
        bottom: 0;
        background: var(--_bg);
        border-top: 1px solid var(--_divider);
        padding: 0.6rem 1rem;
      }
      footer button {
        width: 100%;
        font-weight: 700;
        letter-spacing: 0.03em;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));
  @property({ attribute: false }) recipients: DirectoryEntry[] = [];
  /** Show a back button and a title (when it is a screen of its own). */
  @property({ type: Boolean, attribute: 'show-header' }) showHeader = false;

  @state() private name = '';
  @state() private profession = '';
  @state() private place = '';
  @state() private suggestFor: SuggestField | null = null;
  @state() private activeOption = -1;
  @state() private groupName = '';
  @state() private renaming: number | null = null;
  @state() private notice: string | null = null;
  @state() private more: DirectoryEntry[] = [];
  @state() private page = 1;
  /** S14: the entry whose invitation is being offered, then the one being invited. */
  @state() private invitePrompt: DirectoryEntry | null = null;
  @state() private inviting: DirectoryEntry | null = null;
  @state() private invited = new Set<string>();

  /** Codes chosen from a suggestion (the field then shows its label). */
  #chosen: Record<SuggestField, { label: string; value: string } | null> = {
    profession: null,
    place: null,
  };

  readonly results = new DebouncedTask<SearchResult>(this, 300);
  readonly groups = new GroupsController(this, () => this.#session);
  readonly structureMembers = new StructureMembersController(this, () => this.#session);
  readonly suggestions = new DebouncedTask<Suggestion[]>(this, 150);

  override connectedCallback(): void {
    super.connectedCallback();
    void this.search(true);
  }

  get #session(): RelaisSession | null {
    return sessionFor(this);
  }

  #filters() {
    return {
      name: this.name.trim(),
      profession: this.#chosen.profession?.value ?? this.profession.trim(),
      place: this.#chosen.place?.value ?? this.place.trim(),
    };
  }

  /** Searches with the three filters (favourites only when all are empty). */
  search(immediate = false): Promise<void> {
    const session = this.#session;
    if (!session) return Promise.resolve();
    const filters = this.#filters();
    this.more = [];
    this.page = 1;
    return this.results.run((signal) => directoryApi.search(session, filters, signal), immediate);
  }

  async loadMore(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const page = this.page + 1;
    const result = await directoryApi.search(session, { ...this.#filters(), page });
    this.more = [...this.more, ...result.items];
    this.page = page;
    if (this.results.value) this.results.value = { ...this.results.value, hasMore: result.hasMore };
  }

  // ---- choosing -------------------------------------------------------------------------

  #isChosen(e: DirectoryEntry): boolean {
    return this.recipients.some((r) => entryKey(r) === entryKey(e));
  }

  #setRecipients(next: DirectoryEntry[]): void {
    this.recipients = next;
    this.dispatchEvent(
      new CustomEvent('relais-recipients-change', {
        detail: { recipients: next },
        bubbles: true,
        composed: true,
      }),
    );
  }

  toggle(entry: DirectoryEntry): void {
    if (this.#isChosen(entry)) {
      this.removeRecipient(entry);
      return;
    }
    this.#setRecipients([...this.recipients, entry]);
    this.notice = msg(str`${entryName(entry)} ajouté aux destinataires.`, { id: 'picker.added' });
    if (needsInvitation(entry) && !this.invited.has(entryKey(entry))) {
      this.invitePrompt = entry;
      void this.updateComplete.then(() =>
        (this.renderRoot.querySelector('.prompt button') as HTMLElement | null)?.focus(),
      );
    }
  }

  #invited(entry: DirectoryEntry): void {
    const key = entryKey(entry);
    this.invited = new Set(this.invited).add(key);
    const mark = (e: DirectoryEntry): DirectoryEntry =>
      entryKey(e) === key && e.kind === 'professional' ? { ...e, status: 'invited' } : e;
    this.#setRecipients(this.recipients.map(mark));
    if (this.results.value) {
      this.results.value = {
        ...this.results.value,
        items: this.results.value.items.map(mark),
        favourites: this.results.value.favourites.map(mark),
      };
    }
    this.more = this.more.map(mark);
    this.inviting = null;
    this.notice = msg(str`Invitation envoyée à ${entryName(entry)}.`, { id: 'picker.invited' });
  }

  removeRecipient(entry: DirectoryEntry): void {
    if (this.invitePrompt && entryKey(this.invitePrompt) === entryKey(entry)) {
      this.invitePrompt = null;
    }
    this.#setRecipients(this.recipients.filter((r) => entryKey(r) !== entryKey(entry)));
    this.notice = msg(str`${entryName(entry)} retiré des destinataires.`, { id: 'picker.removed' });
  }

  async addGroup(group: GroupSummary): Promise<void> {
    const items = await this.groups.recipients(group);
    const known = new Set(this.recipients.map(entryKey));
    this.#setRecipients([...this.recipients, ...items.filter((e) => !known.has(entryKey(e)))]);
    this.notice = msg(str`Groupe ${group.name} ajouté aux destinataires.`, {
      id: 'picker.group-added',
    });
  }

  async saveGroup(event: Event): Promise<void> {
    event.preventDefault();
    const name = this.groupName.trim();
    if (!name || !this.recipients.length) return;
    try {
      await this.groups.create(name, this.recipients);
      this.groupName = '';
      this.notice = msg(str`Groupe ${name} enregistré.`, { id: 'picker.group-saved' });
    } catch {
      this.notice = msg('Le groupe n’a pas pu être enregistré (nom déjà utilisé ?).', {
        id: 'picker.group-failed',
      });
    }
  }

  async renameGroup(event: Event, group: GroupSummary): Promise<void> {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('name') as HTMLInputElement;
    const name = input.value.trim();
    if (!name) return;
    try {
      await this.groups.rename(group, name);
      this.renaming = null;
    } catch {
      this.notice = msg('Le groupe n’a pas pu être enregistré (nom déjà utilisé ?).', {
        id: 'picker.group-failed',
      });
    }
  }

  async deleteGroup(group: GroupSummary): Promise<void> {
    await this.groups.remove(group);
  }

  async toggleFavourite(entry: DirectoryEntry): Promise<void> {
    const session = this.#session;
    if (!session) return;
    const favourite = !entry.favourite;
    await directoryApi.setFavourite(session, entry, favourite);
    this.notice = favourite
      ? msg(str`${entryName(entry)} ajouté aux favoris.`, { id: 'picker.fav-added' })
      : msg(str`${entryName(entry)} retiré des favoris.`, { id: 'picker.fav-removed' });
    // The favourites section and the stars come from the server: search again.
    await this.search(true);
  }

  #validate(): void {
    this.dispatchEvent(
      new CustomEvent('relais-validate', {
        detail: { recipients: this.recipients },
        bubbles: true,
        composed: true,
      }),
    );
  }

  // ---- fields and suggestions -------------------------------------------------------------

  #input(field: 'name' | SuggestField, value: string): void {
    this[field] = value;
    if (field !== 'name') {
      this.#chosen[field] = null;
      this.#suggest(field, value);
    }
    void this.search();
  }

  #clear(field: 'name' | SuggestField): void {
    this[field] = '';
    if (field !== 'name') this.#chosen[field] = null;
    this.suggestFor = null;
    void this.search(true);
    (this.renderRoot.querySelector(`#f-${field}`) as HTMLInputElement | null)?.focus();
  }

  #suggest(field: SuggestField, text: string): void {
    const session = this.#session;
    this.activeOption = -1;
    if (!session || text.trim().length < 2) {
      this.suggestFor = null;
      this.suggestions.clear();
      return;
    }
    this.suggestFor = field;
    void this.suggestions.run(async (signal) => {
      const { items } = await directoryApi.suggest(
        session,
        field === 'profession' ? 'professions' : 'places',
        text.trim(),
        signal,
      );
      return items;
    });
  }

  #pick(field: SuggestField, s: Suggestion): void {
    this.#chosen[field] = { label: s.label, value: s.value };
    this[field] = s.label;
    this.suggestFor = null;
    this.suggestions.clear();
    void this.search(true);
  }

  #keydown(field: SuggestField, e: KeyboardEvent): void {
    const options = this.suggestFor === field ? (this.suggestions.value ?? []) : [];
    if (e.key === 'ArrowDown' && options.length) {
      e.preventDefault();
      this.activeOption = (this.activeOption + 1) % options.length;
    } else if (e.key === 'ArrowUp' && options.length) {
      e.preventDefault();
      this.activeOption = (this.activeOption - 1 + options.length) % options.length;
    } else if (e.key === 'Enter' && this.activeOption >= 0 && options[this.activeOption]) {
      e.preventDefault();
      this.#pick(field, options[this.activeOption]!);
    } else if (e.key === 'Escape' && this.suggestFor) {
      e.preventDefault();
      this.suggestFor = null;
    }
  }

  // ---- rendering --------------------------------------------------------------------------

  #field(field: 'name' | SuggestField, label: string): TemplateResult {
    const value = this[field];
    const combobox = field !== 'name';
    const open = combobox && this.suggestFor === field && (this.suggestions.value ?? []).length > 0;
    const listId = `s-${field}`;
    return html`<div class="field">
      <label for=${`f-${field}`}>${label}</label>
      <input id=${`f-${field}`} type="search" autocomplete="off" .value=${value}
        role=${combobox ? 'combobox' : nothing}
        aria-autocomplete=${combobox ? 'list' : nothing}
        aria-expanded=${combobox ? String(open) : nothing}
        aria-controls=${combobox ? listId : nothing}
        aria-activedescendant=${open && this.activeOption >= 0 ? `${listId}-${this.activeOption}` : nothing}
        @input=${(e: Event) => this.#input(field, (e.target as HTMLInputElement).value)}
        @keydown=${combobox ? (e: KeyboardEvent) => this.#keydown(field as SuggestField, e) : nothing}
        @blur=${combobox ? () => setTimeout(() => (this.suggestFor = null), 150) : nothing} />
      ${
        value
          ? html`<button type="button" class="clear" @click=${() => this.#clear(field)}
              aria-label=${msg(str`Effacer « ${label} »`, { id: 'picker.clear' })}>×</button>`
          : nothing
      }
      ${
        open
          ? html`<ul role="listbox" id=${listId} aria-label=${label}>
              ${(this.suggestions.value ?? []).map(
                (s, i) => html`<li role="option" id=${`${listId}-${i}`}
                  aria-selected=${String(i === this.activeOption)}
                  @mousedown=${(e: Event) => e.preventDefault()}
                  @click=${() => this.#pick(field as SuggestField, s)}>${s.label}</li>`,
              )}
            </ul>`
          : nothing
      }
    </div>`;
  }

  #status(e: DirectoryEntry): TemplateResult | typeof nothing {
    if (e.kind === 'structure') {
      return html`<span class="status ${e.memberCount ? 'status-active' : 'status-none'}">
        ${
          e.memberCount
            ? msg(str`● ${e.memberCount} professionnel(s) rattaché(s) à la messagerie`, {
                id: 'picker.attached',
              })
            : msg('○ Aucun professionnel rattaché', { id: 'picker.nobody' })
        }
      </span>`;
    }
    const text = {
      active: msg('● A un compte et l’utilise', { id: 'status.active' }),
      inactive: msg('◐ Pas connecté depuis 30 jours', { id: 'status.inactive' }),
      invited: msg('✉ Invité', { id: 'status.invited' }),
      none: msg('○ Pas de compte', { id: 'status.none' }),
    }[e.status];
    return html`<span class="status status-${e.status}">${text}</span>`;
  }

  #meta(e: DirectoryEntry): string {
    if (e.kind === 'structure') {
      return [e.sector, [e.postcode, e.city].filter(Boolean).join(' ')].filter(Boolean).join(' · ');
    }
    const job = e.speciality?.label ?? e.profession.label;
    const place = e.places.find((p) => p.city);
    return [job, place ? [place.name, place.city].filter(Boolean).join(', ') : null]
      .filter(Boolean)
      .join(' · ');
  }

  #entry(e: DirectoryEntry): TemplateResult {
    const name = entryName(e);
    const chosen = this.#isChosen(e);
    const key = entryKey(e);
    const members = this.structureMembers.get(e);
    return html`<li class="entry" part="entry" data-key=${key}>
      <button class="pick" aria-pressed=${String(chosen)} @click=${() => this.toggle(e)}>
        <span class="name ${e.kind === 'structure' && e.memberCount > 0 ? 'attached' : ''}">${name}</span>
        <span class="meta">${this.#meta(e)}</span>
        ${this.#status(e)}
      </button>
      ${
        e.kind === 'structure' && e.memberCount > 0
          ? html`<button class="icon" aria-expanded=${String(!!members)}
              aria-label=${msg(str`Professionnels rattachés à ${name}`, { id: 'picker.list-members' })}
              @click=${() => this.structureMembers.toggle(e)}>☰</button>`
          : html`<span></span>`
      }
      <button class="icon star" part="star" aria-pressed=${String(e.favourite)}
        aria-label=${
          e.favourite
            ? msg(str`Retirer ${name} des favoris`, { id: 'picker.unstar' })
            : msg(str`Ajouter ${name} aux favoris`, { id: 'picker.star' })
        }
        @click=${() => this.toggleFavourite(e)}>${e.favourite ? '★' : '☆'}</button>
      ${members ? this.#members(name, members) : nothing}
    </li>`;
  }

  #members(structure: string, members: StructureMember[] | 'loading' | 'error') {
    if (members === 'loading') {
      return html`<p class="members muted">${msg('Chargement…', { id: 'common.loading' })}</p>`;
    }
    if (members === 'error') {
      return html`<p class="members error">${msg('Liste indisponible.', { id: 'picker.members-error' })}</p>`;
    }
    return html`<ul class="members" aria-label=${msg(str`Professionnels rattachés à ${structure}`, { id: 'picker.list-members' })}>
      ${members.map(
        (
          m,
        ) => html`<li>${m.firstName} ${m.lastName}${m.kind === 'bot' ? botBadge() : nothing}${m.identityVerified === false ? unverifiedBadge() : nothing}${m.profession ? html` <span class="muted">· ${m.profession}</span>` : nothing}
          ${m.status === 'inactive' ? html` <span class="status status-inactive">${msg('◐ Pas connecté depuis 30 jours', { id: 'status.inactive' })}</span>` : nothing}</li>`,
      )}
    </ul>`;
  }

  #warnings() {
    const silent = this.recipients.filter(
      (r): r is StructureEntry =>
        r.kind === 'structure' && (r.nobodyAttached || r.memberCount === 0),
    );
    return silent.map(
      (s) => html`<p class="warning" role="note">
        ${msg(
          str`Personne n’est rattaché à ${s.name} pour la messagerie : votre message risque de rester sans réponse.`,
          { id: 'structure.nobody' },
        )}
      </p>`,
    );
  }

  #resultsStatus() {
    const { status, value, error } = this.results;
    if (status === 'loading') return msg('Recherche…', { id: 'picker.searching' });
    if (status === 'error') {
      return (error as { status?: number })?.status === 400
        ? msg('Caractères non autorisés dans la recherche.', { id: 'picker.bad-input' })
        : msg('La recherche a échoué. Réessayez.', { id: 'picker.error' });
    }
    if (!value) return '';
    const problems: string[] = [];
    if (value.unresolved.includes('profession')) {
      problems.push(
        msg('Profession non reconnue : choisissez une suggestion.', {
          id: 'picker.unknown-profession',
        }),
      );
    }
    if (value.unresolved.includes('place')) {
      problems.push(
        msg('Lieu non reconnu : choisissez une suggestion.', { id: 'picker.unknown-place' }),
      );
    }
    if (problems.length) return problems.join(' ');
    const f = this.#filters();
    if (!f.name && !f.profession && !f.place) return '';
    const n = value.items.length + this.more.length;
    if (n === 0) return msg('Aucun résultat.', { id: 'picker.none' });
    return value.hasMore
      ? msg(str`${n} résultats et plus`, { id: 'picker.count-more' })
      : msg(str`${n} résultat(s)`, { id: 'picker.count' });
  }

  #prompt() {
    const entry = this.invitePrompt;
    if (!entry) return nothing;
    return html`<div class="prompt" role="alertdialog" aria-labelledby="prompt-text">
      <p id="prompt-text">
        ${msg(
          'Le destinataire n’a pas de compte ou ne s’est pas connecté depuis 30 jours, voulez-vous l’inviter ?',
          { id: 'picker.invite-prompt' },
        )}
        <strong>${entryName(entry)}</strong>
      </p>
      <div class="prompt-actions">
        <button @click=${() => (this.invitePrompt = null)}>${msg('NON', { id: 'common.no' })}</button>
        <button class="primary" @click=${() => {
          this.inviting = entry;
          this.invitePrompt = null;
        }}>${msg('OUI', { id: 'common.yes' })}</button>
      </div>
    </div>`;
  }

  override render() {
    const result = this.results.value;
    const favourites = result?.favourites ?? [];
    const items = [...(result?.items ?? []), ...this.more];
    if (this.inviting) {
      return html`<relais-invite .session=${this.#session} .entry=${this.inviting}
        @relais-back=${(e: Event) => {
          e.stopPropagation();
          this.inviting = null;
        }}
        @relais-invited=${(e: CustomEvent<{ entry: DirectoryEntry }>) => {
          e.stopPropagation();
          this.#invited(e.detail.entry);
        }}></relais-invite>`;
    }
    return html`
      ${
        this.showHeader
          ? html`<div class="top">
              <button class="link" @click=${() => this.dispatchEvent(new CustomEvent('relais-back', { bubbles: true, composed: true }))}
                aria-label=${msg('Retour', { id: 'common.back' })}>←</button>
              <h2>${msg('Destinataires', { id: 'picker.title' })}</h2>
            </div>`
          : nothing
      }
      ${
        this.recipients.length
          ? html`<ul class="chips" part="chips" aria-label=${msg('Destinataires choisis', { id: 'picker.chosen' })}>
              ${this.recipients.map(
                (r) => html`<li class="chip ${r.kind}">${entryName(r)}${
                  this.invited.has(entryKey(r))
                    ? html` <span class="muted">(${msg('invité', { id: 'picker.invited-chip' })})</span>`
                    : nothing
                }
                  <button @click=${() => this.removeRecipient(r)}
                    aria-label=${msg(str`Retirer ${entryName(r)} des destinataires`, { id: 'picker.remove' })}>×</button></li>`,
              )}
            </ul>`
          : nothing
      }
      ${this.#prompt()}
      ${this.#warnings()}
      <form role="search" part="search" @submit=${(e: Event) => {
        e.preventDefault();
        this.suggestFor = null;
        void this.search(true);
      }}>
        ${this.#field('name', msg('Nom, prénom, identifiant structure', { id: 'picker.name' }))}
        ${this.#field('profession', msg('Profession, spécialité', { id: 'picker.profession' }))}
        ${this.#field('place', msg('Ville, département', { id: 'picker.place' }))}
        <button type="submit">${msg('Rechercher', { id: 'picker.search' })}</button>
      </form>
      <p class="status-line muted" role="status" aria-live="polite">${this.#resultsStatus()}</p>
      <p class="visually-hidden" role="status" aria-live="polite">${this.notice ?? ''}</p>
      ${this.#groupsSection()}
      ${
        favourites.length
          ? html`<h3>★ ${msg('Favoris', { id: 'picker.favourites' })}</h3>
              <ul class="entries" aria-label=${msg('Favoris', { id: 'picker.favourites' })}>${favourites.map((e) => this.#entry(e))}</ul>`
          : nothing
      }
      ${
        items.length
          ? html`<h3>${msg('Résultats', { id: 'picker.results' })}</h3>
              <ul class="entries" aria-label=${msg('Résultats', { id: 'picker.results' })}>${items.map((e) => this.#entry(e))}</ul>`
          : nothing
      }
      ${
        result?.hasMore
          ? html`<div class="more"><button @click=${() => this.loadMore()}>${msg('Plus de résultats', { id: 'picker.more' })}</button></div>`
          : nothing
      }
      <footer>
        <button class="primary" part="validate" @click=${() => this.#validate()}
          ?disabled=${this.recipients.length === 0}>
          ${msg('VALIDER', { id: 'picker.validate' })}${this.recipients.length ? ` (${this.recipients.length})` : ''}
        </button>
      </footer>
    `;
  }

  #groupsSection() {
    return html`<details>
      <summary>${msg(str`Groupes de favoris (${this.groups.items.length})`, { id: 'picker.groups' })}</summary>
      <ul class="groups">
        ${this.groups.items.map((g) =>
          this.renaming === g.id
            ? html`<li><form class="new-group" @submit=${(e: Event) => this.renameGroup(e, g)}>
                  <label class="visually-hidden" for="rename">${msg(str`Nouveau nom du groupe ${g.name}`, { id: 'picker.rename-label' })}</label>
                  <input id="rename" name="name" maxlength="80" .value=${g.name} />
                  <button type="submit">${msg('Enregistrer', { id: 'common.save' })}</button>
                  <button type="button" class="link" @click=${() => (this.renaming = null)}>${msg('Annuler', { id: 'common.cancel' })}</button>
                </form></li>`
            : html`<li>
            <span>${g.name} <span class="muted">(${g.memberCount})</span></span>
            <button @click=${() => this.addGroup(g)}
              aria-label=${msg(str`Ajouter le groupe ${g.name}`, { id: 'picker.add-group' })}>
              ${msg('Ajouter', { id: 'picker.add' })}</button>
            <button class="link" @click=${() => this.deleteGroup(g)}
              aria-label=${msg(str`Supprimer le groupe ${g.name}`, { id: 'picker.delete-group' })}>
              ${msg('Supprimer', { id: 'picker.delete' })}</button>
            <button class="link" @click=${() => (this.renaming = g.id)}
              aria-label=${msg(str`Renommer le groupe ${g.name}`, { id: 'picker.rename-group' })}>
              ${msg('Renommer', { id: 'picker.rename' })}</button>
          </li>`,
        )}
      </ul>
      ${
        this.recipients.length
          ? html`<form class="new-group" @submit=${this.saveGroup}>
              <label class="visually-hidden" for="group-name">${msg('Nom du groupe', { id: 'picker.group-name' })}</label>
              <input id="group-name" maxlength="80" .value=${this.groupName}
                placeholder=${msg('Nom du groupe', { id: 'picker.group-name' })}
                @input=${(e: Event) => (this.groupName = (e.target as HTMLInputElement).value)} />
              <button type="submit">${msg('Enregistrer ces destinataires', { id: 'picker.save-group' })}</button>
            </form>`
          : nothing
      }
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-recipient-picker': RelaisRecipientPicker;
  }
}
