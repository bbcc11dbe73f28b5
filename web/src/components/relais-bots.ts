import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { BOT_SCOPE_NAMES, BOT_SCOPES } from '../../../domain/bots/scopes';
import {
  type Bot,
  type BotChanges,
  type BotScope,
  type BotToken,
  botsApi,
  type CreatedBotToken,
} from '../api/bots';
import { ApiError } from '../api/http';
import { SessionFollower } from '../controllers/session-follower';
import { element } from '../define';
import { formatDateTime } from '../i18n';
import { botBadge, unverifiedStyles } from '../identity-badge';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { adminStyles } from '../styles/admin';
import { theme } from '../styles/theme';
import './relais-confirm';

/**
 * The scopes a token may carry: the API's own list (domain/bots/scopes.ts, a module with no
 * dependency: a few hundred bytes), so that a scope added there is offered here at once,
 * with the server's description until it has a label below.
 */
const SCOPE_LABELS: Record<string, () => string> = {
  'conversations:read': () =>
    msg('Lister ses conversations et en lire une', { id: 'bots.scope.conversations-read' }),
  'conversations:create': () =>
    msg('Démarrer une conversation', { id: 'bots.scope.conversations-create' }),
  'messages:read': () =>
    msg('Lire les messages, les accusés de lecture et les fichiers', {
      id: 'bots.scope.messages-read',
    }),
  'messages:write': () => msg('Envoyer des messages', { id: 'bots.scope.messages-write' }),
  'files:write': () => msg('Déposer des fichiers à joindre', { id: 'bots.scope.files-write' }),
  'events:read': () =>
    msg('Relever ses événements (bot sans webhook)', { id: 'bots.scope.events-read' }),
};
const scopeLabel = (scope: BotScope): string =>
  SCOPE_LABELS[scope]?.() ?? (BOT_SCOPES as Record<string, string>)[scope] ?? scope;

type Pending = { kind: 'delete'; bot: Bot } | { kind: 'revoke'; bot: Bot; token: BotToken } | null;

/**
 * "Bots" (issue 12, docs/bots.md): the automated accounts of the structures the user
 * administers (all of them for installation administrators). Create one for a structure
 * (or, installation administrators only, for the installation), rename it, disable or
 * enable it, delete it (after a confirmation); and its API tokens: create one with its
 * scopes, whose secret is shown once, list them (prefix, label, scopes, dates), revoke one.
 * The webhook is configured through the API for now. Errors from the server are said
 * where the action was taken.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @csspart bot - Each bot of the list.
 * @csspart create - The form that creates a bot.
 * @csspart tokens - A bot's tokens and the form that creates one.
 * @csspart token - Each token.
 * @csspart secret - The secret of a token just created (shown once).
 * @csspart webhook - The webhook section of a bot.
 * @csspart error - An error, where the action was taken.
 */
@element('relais-bots')
@localized()
export class RelaisBots extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
    adminStyles,
    css`
      h4 {
        font-size: 0.95rem;
        margin: 1rem 0 0.35rem;
      }
      form {
        display: grid;
        gap: 0.35rem;
        margin-top: 0.5rem;
      }
      fieldset {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        margin: 0.25rem 0;
      }
      fieldset label {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-weight: normal;
        margin: 0.2rem 0;
      }
      fieldset input {
        width: auto;
        min-height: 0;
      }
      .create {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        padding: 0.75rem;
      }
      .state {
        font-size: 0.85rem;
        font-weight: normal;
        margin-inline-start: 0.35em;
      }
      .state.off {
        color: var(--_danger);
      }
      .details {
        border-top: 1px solid var(--_divider);
        margin-top: 0.75rem;
      }
      .tokens li {
        padding: 0.5rem;
      }
      .secret {
        background: var(--_warning-bg);
        color: var(--_warning-text);
        border-radius: var(--_radius);
        padding: 0.75rem;
        margin: 0.5rem 0;
      }
      .secret input {
        font-family: ui-monospace, monospace;
        font-size: 0.85rem;
      }
      code {
        font-family: ui-monospace, monospace;
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;

  @state() bots: Bot[] = [];
  @state() status: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  /** What was just done (role="status"). */
  @state() notice = '';
  /** The create form's error. */
  @state() createError = '';
  /** An action on one bot failed: said in that bot's card. */
  @state() botError: { botId: number; text: string } | null = null;
  /** The bot whose tokens and webhook are shown. */
  @state() openBot: number | null = null;
  @state() tokens: BotToken[] | 'loading' | 'error' = 'loading';
  @state() tokenError = '';
  /** The token just created, with its secret: shown until dismissed, never again. */
  @state() secret: CreatedBotToken | null = null;
  @state() copied = false;
  @state() renaming: number | null = null;
  @state() pending: Pending = null;
  @state() busy = false;

  #abort: AbortController | null = null;
  readonly #follower = new SessionFollower(
    this,
    () => sessionFor(this),
    { me: () => this.requestUpdate(), reconnected: () => void this.reload() },
    () => void this.reload(),
  );

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort?.abort();
  }

  get #session(): RelaisSession | null {
    return this.#follower.session;
  }

  /** The structures the user may create a bot for; null stands for the installation. */
  get #owners(): Array<{ id: number | null; name: string }> {
    const me = this.#session?.me;
    if (!me) return [];
    const owners: Array<{ id: number | null; name: string }> = me.structures
      .filter((s) => s.role === 'manager' || me.isAdmin)
      .map((s) => ({ id: s.id, name: s.name }));
    if (me.isAdmin) {
      owners.push({
        id: null,
        name: msg('L’installation (aucune structure)', { id: 'bots.installation' }),
      });
    }
    return owners;
  }

  async reload(): Promise<void> {
    const session = this.#session;
    this.#abort?.abort();
    if (!session) {
      this.bots = [];
      this.status = 'idle';
      return;
    }
    const abort = new AbortController();
    this.#abort = abort;
    if (this.status !== 'ready') this.status = 'loading';
    try {
      this.bots = await botsApi.list(session, abort.signal);
      this.status = 'ready';
      if (this.openBot !== null && !this.bots.some((b) => b.id === this.openBot)) this.#close();
    } catch {
      if (abort.signal.aborted) return;
      this.status = 'error';
    }
  }

  async #loadTokens(botId: number): Promise<void> {
    const session = this.#session;
    if (!session) return;
    if (!Array.isArray(this.tokens)) this.tokens = 'loading';
    try {
      const tokens = await botsApi.tokens(session, botId);
      if (this.openBot === botId) this.tokens = tokens;
    } catch (err) {
      if (this.openBot !== botId) return;
      this.tokens = 'error';
      this.tokenError = errorText(err);
    }
  }

  #toggle(bot: Bot): void {
    if (this.openBot === bot.id) {
      this.#close();
      return;
    }
    this.openBot = bot.id;
    this.secret = null;
    this.tokens = 'loading';
    this.tokenError = '';
    void this.#loadTokens(bot.id);
  }

  #close(): void {
    this.openBot = null;
    this.secret = null;
    this.tokens = 'loading';
    this.tokenError = '';
  }

  /** Runs an action; its failure is said in place (`onError`); the list is reloaded after. */
  async #run(
    action: (session: RelaisSession) => Promise<unknown>,
    onError: (text: string) => void,
  ) {
    const session = this.#session;
    if (!session || this.busy) return false;
    this.busy = true;
    this.notice = '';
    try {
      await action(session);
      return true;
    } catch (err) {
      onError(errorText(err));
      if (err instanceof ApiError && err.status === 404) void this.reload();
      return false;
    } finally {
      this.busy = false;
    }
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const owner = String(data.get('owner') ?? '');
    if (!name) {
      this.createError = msg('Donnez un nom au bot.', { id: 'bots.name-missing' });
      return;
    }
    this.createError = '';
    let created: Bot | null = null;
    const ok = await this.#run(
      async (session) => {
        created = await botsApi.create(session, {
          name,
          description: String(data.get('description') ?? '').trim(),
          structureId: owner ? Number(owner) : null,
        });
      },
      (text) => {
        this.createError = text;
      },
    );
    if (!ok || !created) return;
    const bot: Bot = created;
    form.reset();
    this.notice = msg(str`Le bot ${bot.name} est créé. Créez-lui un jeton pour le connecter.`, {
      id: 'bots.created',
    });
    await this.reload();
    this.openBot = null;
    const fresh = this.bots.find((b) => b.id === bot.id) ?? bot;
    this.#toggle(fresh);
  }

  async #change(bot: Bot, changes: BotChanges, done: string): Promise<boolean> {
    this.botError = null;
    const ok = await this.#run(
      (session) => botsApi.update(session, bot.id, changes),
      (text) => {
        this.botError = { botId: bot.id, text };
      },
    );
    if (ok) {
      this.notice = done;
      await this.reload();
    }
    return ok;
  }

  async #rename(e: SubmitEvent, bot: Bot): Promise<void> {
    e.preventDefault();
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim();
    if (!name) {
      this.botError = {
        botId: bot.id,
        text: msg('Donnez un nom au bot.', { id: 'bots.name-missing' }),
      };
      return;
    }
    if (
      await this.#change(
        bot,
        { name },
        msg(str`Le bot s’appelle désormais ${name}.`, { id: 'bots.renamed' }),
      )
    ) {
      this.renaming = null;
    }
  }

  #setDisabled(bot: Bot, disabled: boolean): void {
    void this.#change(
      bot,
      { disabled },
      disabled
        ? msg(str`${bot.name} est désactivé : ses jetons sont refusés.`, {
            id: 'bots.disabled-done',
          })
        : msg(str`${bot.name} est réactivé.`, { id: 'bots.enabled-done' }),
    );
  }

  async #createToken(e: SubmitEvent, bot: Bot): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const scopes = data.getAll('scope').map(String) as BotScope[];
    if (scopes.length === 0) {
      this.tokenError = msg('Cochez au moins une autorisation.', { id: 'bots.scopes-missing' });
      return;
    }
    this.tokenError = '';
    const ok = await this.#run(
      async (session) => {
        this.secret = await botsApi.createToken(session, bot.id, {
          scopes,
          label: String(data.get('label') ?? '').trim(),
        });
      },
      (text) => {
        this.tokenError = text;
      },
    );
    if (!ok) return;
    this.copied = false;
    form.reset();
    await this.#loadTokens(bot.id);
    void this.reload();
    await this.updateComplete;
    (this.renderRoot.querySelector('.secret input') as HTMLInputElement | null)?.focus();
  }

  async #copy(): Promise<void> {
    const input = this.renderRoot.querySelector('.secret input') as HTMLInputElement | null;
    if (!this.secret || !input) return;
    try {
      await navigator.clipboard.writeText(this.secret.token);
      this.copied = true;
    } catch {
      // No clipboard API here (an insecure page, a refused permission): select it instead.
      input.select();
      this.copied = document.execCommand('copy');
    }
  }

  async #confirmed(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    const confirm = this.renderRoot.querySelector('relais-confirm');
    this.botError = null;
    this.tokenError = '';
    const bot = pending.bot;
    const ok = await this.#run(
      (session) =>
        pending.kind === 'delete'
          ? botsApi.remove(session, bot.id)
          : botsApi.revokeToken(session, bot.id, pending.token.id),
      (text) => {
        if (pending.kind === 'delete') this.botError = { botId: bot.id, text };
        else this.tokenError = text;
      },
    );
    confirm?.close();
    this.pending = null;
    if (!ok) return;
    if (pending.kind === 'delete') {
      this.notice = msg(str`Le bot ${bot.name} est supprimé.`, { id: 'bots.deleted' });
      if (this.openBot === bot.id) this.#close();
    } else {
      this.notice = msg(str`Le jeton ${pending.token.prefix} est révoqué.`, { id: 'bots.revoked' });
      if (this.secret?.id === pending.token.id) this.secret = null;
      await this.#loadTokens(bot.id);
    }
    await this.reload();
  }

  async #ask(pending: Pending): Promise<void> {
    this.pending = pending;
    await this.updateComplete;
    await this.renderRoot.querySelector('relais-confirm')?.show();
  }

  /** Moves the focus to the title. */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('h2') as HTMLElement | null)?.focus();
  }

  override render() {
    const owners = this.#owners;
    return html`
      <h2 tabindex="-1">${msg('Bots', { id: 'bots.title' })}</h2>
      <p class="muted">${msg(
        'Des comptes automatisés qui lisent et répondent aux conversations de leur structure, par l’API de Relais, avec leurs jetons.',
        { id: 'bots.intro' },
      )}</p>
      <p class="notice" role="status">${this.notice || nothing}</p>
      ${
        this.status === 'loading'
          ? html`<p class="muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`
          : nothing
      }
      ${
        this.status === 'error'
          ? html`<p class="error" role="alert">
              ${msg('Impossible de charger les bots.', { id: 'bots.load-error' })}
              <button class="link" @click=${() => this.reload()}>${msg('Réessayer', { id: 'common.retry' })}</button>
            </p>`
          : nothing
      }
      ${
        this.status === 'ready' && this.bots.length === 0
          ? html`<p class="muted">${msg('Aucun bot pour l’instant.', { id: 'bots.empty' })}</p>`
          : nothing
      }
      ${
        this.bots.length
          ? html`<ul aria-label=${msg('Bots', { id: 'bots.title' })}>${this.bots.map((b) => this.#bot(b))}</ul>`
          : nothing
      }
      ${owners.length ? this.#createForm(owners) : nothing}
      <relais-confirm .busy=${this.busy}
        heading=${this.#confirmHeading()}
        text=${this.#confirmText()}
        confirm-label=${
          this.pending?.kind === 'revoke'
            ? msg('Révoquer', { id: 'bots.revoke' })
            : msg('Supprimer', { id: 'bots.delete' })
        }
        @relais-confirm=${() => this.#confirmed()}
        @relais-cancel=${() => {
          this.pending = null;
        }}></relais-confirm>
    `;
  }

  #confirmHeading(): string {
    const p = this.pending;
    if (!p) return '';
    return p.kind === 'delete'
      ? msg(str`Supprimer le bot ${p.bot.name} ?`, { id: 'bots.confirm-delete' })
      : msg(str`Révoquer le jeton ${p.token.prefix} ?`, { id: 'bots.confirm-revoke' });
  }

  #confirmText(): string {
    const p = this.pending;
    if (!p) return '';
    return p.kind === 'delete'
      ? msg(
          'Ses jetons cesseront de fonctionner immédiatement. Ses messages passés restent, signés de son nom.',
          { id: 'bots.delete-effect' },
        )
      : msg('Les intégrations qui l’utilisent seront refusées dès leur prochaine requête.', {
          id: 'bots.revoke-effect',
        });
  }

  #createForm(owners: Array<{ id: number | null; name: string }>) {
    return html`<form class="create" part="create" @submit=${this.#create}>
      <h3>${msg('Nouveau bot', { id: 'bots.new' })}</h3>
      <label for="bot-name">${msg('Nom', { id: 'bots.name' })}</label>
      <input id="bot-name" name="name" maxlength="80" required autocomplete="off" />
      <label for="bot-owner">${msg('Structure', { id: 'admin.requests.structure' })}</label>
      <select id="bot-owner" name="owner">
        ${owners.map((o) => html`<option value=${o.id ?? ''}>${o.name}</option>`)}
      </select>
      <label for="bot-description">${msg('Description (facultative)', { id: 'bots.description' })}</label>
      <textarea id="bot-description" name="description" maxlength="500" rows="2"></textarea>
      ${this.createError ? html`<p class="error" role="alert" part="error">${this.createError}</p>` : nothing}
      <div class="actions">
        <button class="primary" type="submit" ?disabled=${this.busy}>${msg('Créer le bot', { id: 'bots.create' })}</button>
      </div>
    </form>`;
  }

  #bot(b: Bot) {
    const open = this.openBot === b.id;
    const error = this.botError?.botId === b.id ? this.botError.text : '';
    return html`<li part="bot" data-id=${b.id}>
      <h3>${b.name}${botBadge()}<span class="state ${b.disabled ? 'off' : ''}">· ${
        b.disabled
          ? msg('désactivé', { id: 'bots.state-disabled' })
          : msg('activé', { id: 'bots.state-enabled' })
      }</span></h3>
      <dl>
        <dt>${msg('Structure', { id: 'admin.requests.structure' })}</dt>
        <dd>${b.ownerStructure?.name ?? msg('L’installation (aucune structure)', { id: 'bots.installation' })}</dd>
        ${b.description ? html`<dt>${msg('Description', { id: 'bots.description-short' })}</dt><dd>${b.description}</dd>` : nothing}
        <dt>${msg('Jetons valides', { id: 'bots.active-tokens' })}</dt>
        <dd>${b.activeTokens}</dd>
      </dl>
      ${
        this.renaming === b.id
          ? html`<form @submit=${(e: SubmitEvent) => this.#rename(e, b)}>
              <label for="rename-${b.id}">${msg('Nouveau nom', { id: 'bots.new-name' })}</label>
              <input id="rename-${b.id}" name="name" maxlength="80" required .value=${b.name} />
              <div class="actions">
                <button class="primary" type="submit" ?disabled=${this.busy}>${msg('Enregistrer', { id: 'common.save' })}</button>
                <button type="button" @click=${() => {
                  this.renaming = null;
                }}>${msg('Annuler', { id: 'common.cancel' })}</button>
              </div>
            </form>`
          : nothing
      }
      ${error ? html`<p class="error" role="alert" part="error">${error}</p>` : nothing}
      ${
        b.canManage
          ? html`<div class="actions">
              <button aria-expanded=${String(open)} @click=${() => this.#toggle(b)}>${msg('Jetons et webhook', { id: 'bots.details' })}</button>
              <button ?disabled=${this.busy} @click=${async () => {
                this.renaming = b.id;
                await this.updateComplete;
                (
                  this.renderRoot.querySelector(`#rename-${b.id}`) as HTMLInputElement | null
                )?.select();
              }}>${msg('Renommer', { id: 'bots.rename' })}</button>
              <button ?disabled=${this.busy} @click=${() => this.#setDisabled(b, !b.disabled)}>${
                b.disabled
                  ? msg('Réactiver', { id: 'bots.enable' })
                  : msg('Désactiver', { id: 'bots.disable' })
              }</button>
              <button ?disabled=${this.busy} @click=${() => this.#ask({ kind: 'delete', bot: b })}>${msg('Supprimer', { id: 'bots.delete' })}</button>
            </div>`
          : nothing
      }
      ${open && b.canManage ? this.#details(b) : nothing}
    </li>`;
  }

  #details(b: Bot) {
    const tz = this.#session?.account?.timeZone;
    const when = (iso: string) => {
      const { date, time } = formatDateTime(iso, tz);
      return msg(str`le ${date} à ${time}`, { id: 'admin.when' });
    };
    const tokens = this.tokens;
    return html`<div class="details">
      <section part="tokens" aria-labelledby="tokens-${b.id}">
        <h4 id="tokens-${b.id}">${msg('Jetons d’API', { id: 'bots.tokens' })}</h4>
        ${this.secret ? this.#secret(this.secret) : nothing}
        ${this.tokenError ? html`<p class="error" role="alert" part="error">${this.tokenError}</p>` : nothing}
        ${tokens === 'loading' ? html`<p class="muted">${msg('Chargement…', { id: 'common.loading' })}</p>` : nothing}
        ${
          Array.isArray(tokens) && tokens.length === 0
            ? html`<p class="muted">${msg('Aucun jeton.', { id: 'bots.no-token' })}</p>`
            : nothing
        }
        ${
          Array.isArray(tokens) && tokens.length
            ? html`<ul class="tokens" aria-label=${msg('Jetons d’API', { id: 'bots.tokens' })}>
                ${tokens.map(
                  (t) => html`<li part="token" data-id=${t.id}>
                    <code>${t.prefix}…</code>${t.label ? html` — ${t.label}` : nothing}
                    ${t.revokedAt ? html` <span class="state off">${msg(str`révoqué ${when(t.revokedAt)}`, { id: 'bots.revoked-at' })}</span>` : nothing}
                    <dl>
                      <dt>${msg('Autorisations', { id: 'bots.scopes' })}</dt>
                      <dd>${t.scopes.join(', ')}</dd>
                      <dt>${msg('Créé', { id: 'bots.token-created' })}</dt>
                      <dd>${when(t.createdAt)}</dd>
                      <dt>${msg('Dernière utilisation', { id: 'bots.last-used' })}</dt>
                      <dd>${t.lastUsedAt ? when(t.lastUsedAt) : msg('jamais', { id: 'bots.never' })}</dd>
                    </dl>
                    ${
                      t.revokedAt
                        ? nothing
                        : html`<div class="actions"><button ?disabled=${this.busy}
                            aria-label=${msg(str`Révoquer le jeton ${t.prefix}`, { id: 'bots.revoke-label' })}
                            @click=${() => this.#ask({ kind: 'revoke', bot: b, token: t })}>${msg('Révoquer', { id: 'bots.revoke' })}</button></div>`
                    }
                  </li>`,
                )}
              </ul>`
            : nothing
        }
        <form @submit=${(e: SubmitEvent) => this.#createToken(e, b)}>
          <h4>${msg('Nouveau jeton', { id: 'bots.new-token' })}</h4>
          <label for="token-label-${b.id}">${msg('Libellé (facultatif)', { id: 'bots.token-label' })}</label>
          <input id="token-label-${b.id}" name="label" maxlength="100" autocomplete="off" />
          <fieldset>
            <legend>${msg('Autorisations', { id: 'bots.scopes' })}</legend>
            ${BOT_SCOPE_NAMES.map(
              (s) => html`<label><input type="checkbox" name="scope" value=${s} />
                <span>${scopeLabel(s)} <code class="muted">${s}</code></span></label>`,
            )}
          </fieldset>
          <div class="actions">
            <button class="primary" type="submit" ?disabled=${this.busy}>${msg('Créer le jeton', { id: 'bots.create-token' })}</button>
          </div>
        </form>
      </section>
      <section part="webhook" aria-labelledby="webhook-${b.id}">
        <h4 id="webhook-${b.id}">${msg('Webhook', { id: 'bots.webhook' })}</h4>
        <p class="muted">${msg(
          'Le webhook (les événements envoyés au bot) se configure pour l’instant par l’API : voir le guide des bots (docs/bots.md).',
          { id: 'bots.webhook-api' },
        )}</p>
      </section>
    </div>`;
  }

  #secret(t: CreatedBotToken) {
    return html`<div class="secret" part="secret">
      <p role="alert"><strong>${msg(
        'Copiez ce jeton maintenant : il ne sera plus jamais affiché.',
        { id: 'bots.secret-once' },
      )}</strong> ${msg('Conservez-le dans un coffre à secrets ; s’il fuit, révoquez-le.', {
        id: 'bots.secret-keep',
      })}</p>
      <label for="secret-${t.id}">${msg(str`Jeton ${t.prefix}`, { id: 'bots.secret-label' })}</label>
      <input id="secret-${t.id}" readonly .value=${t.token} @focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()} />
      <div class="actions">
        <button class="primary" @click=${() => this.#copy()}>${msg('Copier', { id: 'bots.copy' })}</button>
        <button @click=${() => {
          this.secret = null;
        }}>${msg('J’ai copié le jeton : le masquer', { id: 'bots.secret-hide' })}</button>
        <span role="status">${this.copied ? msg('Copié.', { id: 'bots.copied' }) : nothing}</span>
      </div>
    </div>`;
  }
}

/** What the server's refusal means, in the user's language. */
function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.unreachable) {
      return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
        id: 'signin.unreachable',
      });
    }
    if (err.status === 403) {
      return msg('Vous n’administrez pas ce bot ou cette structure.', { id: 'bots.forbidden' });
    }
    if (err.status === 404) {
      return msg('Ce bot ou ce jeton n’existe plus. La liste est à jour.', { id: 'bots.gone' });
    }
    if (err.status === 409) {
      return msg('Ce bot a déjà deux jetons valides : révoquez-en un avant d’en créer un autre.', {
        id: 'bots.too-many-tokens',
      });
    }
    if (err.status === 429 && err.retryAfterSeconds) {
      return msg(str`Trop de requêtes : réessayez dans ${err.retryAfterSeconds} s.`, {
        id: 'bots.rate-limited',
      });
    }
    if (err.status === 400) {
      return msg(str`Saisie refusée par le serveur : ${err.message}`, { id: 'bots.invalid' });
    }
    return msg(str`L’opération a échoué (erreur ${err.status}). Réessayez.`, { id: 'bots.failed' });
  }
  return msg('L’opération a échoué. Réessayez.', { id: 'bots.failed-unknown' });
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-bots': RelaisBots;
  }
}
