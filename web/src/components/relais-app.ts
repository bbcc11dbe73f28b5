import { localized, msg } from '@lit/localize';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { administersSomething } from '../api/administration';
import { ApiError, apiRequest } from '../api/http';
import type { SessionGrant } from '../api/types';
import { AdminPendingController } from '../controllers/admin-pending-controller';
import { AuthMethodsController } from '../controllers/auth-methods-controller';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import { extraLoaded, loadExtra } from '../extra';
import { applyLocale, localeLoading, localeSettled } from '../i18n';
import { unverifiedBadge, unverifiedStyles } from '../identity-badge';
import { pscErrorText, pscRequestErrorText } from '../psc-errors';
import { hasPscReturn, openPopup, redirectToPsc, runPscPopup } from '../session/psc';
import { resolveServer } from '../session/server-url';
import {
  loadStoredSession,
  RelaisSession,
  signInWithEmbedToken,
  storeSession,
} from '../session/session';
import { theme } from '../styles/theme';
import { pscButtonStyles, verifyWithPsc } from '../verify-psc';
import './relais-conversation';
import './relais-conversation-list';
import './relais-new-conversation';
import './relais-sign-in';

type Phase = 'starting' | 'signed-out' | 'ready';
type Notice = 'expired' | 'embed-failed' | 'signed-out' | 'unreachable' | null;
type View =
  | { name: 'list' }
  | { name: 'conversation'; id: number }
  | { name: 'new' }
  | { name: 'admin' }
  | { name: 'identity' };

/**
 * The whole Relais application: sign-in (or an intranet's embed token), then the
 * "Discussion" tab with the conversation list (S1), and for those who have something to
 * administer (installation administrators, administrators of a structure) the
 * "Administration" tab (<relais-admin>) with the number of decisions waiting.
 *
 * How it signs in, first match wins:
 *   0. the end of a Pro Santé Connect redirect (`#relais-psc=…` in the address), handled
 *      by <relais-sign-in>;
 *   1. `token` — a session token the page already holds;
 *   2. `embed-token` — an intranet-signed embed token, exchanged via /api/auth/embed;
 *   3. a session kept in this page's sessionStorage (reload keeps you signed in);
 *   4. otherwise the e-mail + password form.
 * A 401 anywhere (session expired or revoked) brings the form back with a message.
 *
 * An account whose identity is not verified shows "identité non vérifiée" beside its name
 * and, when the server offers Pro Santé Connect, a banner with "Vérifier mon identité
 * avec Pro Santé Connect" (intent, pop-up or redirect, then the verified session replaces
 * the old one and the list reloads). Signing out of a Pro Santé Connect session also ends
 * the provider's session: the page itself goes there when it is Relais's own page; inside
 * an intranet page a pop-up does (a hidden iframe would get neither the provider's cookies
 * nor its permission to be framed, and the intranet page must stay where it is); when the
 * pop-up is blocked, the signed-out notice offers the link.
 *
 * @attr server - Origin of the Relais server (default: the origin relais.js came from).
 * @attr token - A session token already obtained.
 * @attr embed-token - A short-lived token signed by the intranet's backend.
 * @attr locale - "fr" or "en" (default: the browser's language; French otherwise).
 *
 * @fires relais-signed-in - `detail: { account }` once signed in.
 * @fires relais-signed-out - after "Se déconnecter".
 * @fires relais-session-expired - the server refused the session (expired/revoked).
 *
 * @slot brand - Replaces the "Relais" title in the header.
 *
 * @csspart header - The top bar.
 * @csspart user - The signed-in user's name.
 * @csspart sign-out - The "Se déconnecter" button.
 * @csspart identity - The "Mon identité" button (<relais-identity>: the account, the
 *   directory's entry beside the Pro Santé Connect profile).
 * @csspart tabs - The tab bar.
 * @csspart tab-badge - The number of unread messages on the Discussion tab.
 * @csspart admin-tab - The Administration tab (shown to administrators only).
 * @csspart admin-badge - The number of decisions waiting, on the Administration tab.
 * @csspart main - The area under the tabs.
 * @csspart unverified - "identité non vérifiée" beside the user's name.
 * @csspart verify-banner - The banner offering to verify one's identity.
 * @csspart verify-psc - Its "Vérifier mon identité avec Pro Santé Connect" button.
 * @csspart verified - "Votre identité est vérifiée", once it is.
 * @csspart psc-sign-out - The link ending the Pro Santé Connect session, when the pop-up
 *   was blocked at sign-out.
 * @csspart load-error - Administration or "Mon identité" could not be loaded (relais-extra),
 *   with "Réessayer".
 */
@element('relais-app')
@localized()
export class RelaisApp extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
    pscButtonStyles,
    css`
      :host {
        display: block;
        min-height: 100%;
        background: var(--_bg);
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.5rem 1rem;
        background: var(--_primary);
        color: var(--_on-primary);
        flex-wrap: wrap;
      }
      .brand {
        font-weight: 800;
        font-size: 1.15rem;
        margin-right: auto;
      }
      .user {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        max-width: 50vw;
      }
      header :focus-visible {
        outline-color: var(--_on-primary);
      }
      header .unverified {
        color: var(--_on-primary);
      }
      .verify,
      .verified,
      .provider-sign-out {
        margin: 0;
        padding: 0.6rem 1rem;
        background: var(--_warning-bg);
        color: var(--_warning-text);
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5rem 1rem;
      }
      .verify p {
        margin: 0;
        flex: 1 1 18rem;
      }
      .verify .error {
        flex-basis: 100%;
        color: var(--_danger);
        font-weight: 600;
      }
      .verified,
      .provider-sign-out {
        background: var(--_surface);
        color: var(--_text);
      }
      header button {
        background: transparent;
        color: var(--_on-primary);
        border-color: var(--_on-primary);
        padding: 0.3em 0.8em;
        min-height: 40px;
      }
      nav {
        display: flex;
        border-bottom: 1px solid var(--_divider);
        background: var(--_bg);
      }
      nav a {
        padding: 0.75rem 1rem;
        color: var(--_text);
        text-decoration: none;
        font-weight: 600;
        border-bottom: 3px solid transparent;
      }
      nav .badge {
        display: inline-block;
        min-width: 1.5em;
        margin-left: 0.3em;
        padding: 0 0.4em;
        border-radius: 1em;
        background: var(--_primary);
        color: var(--_on-primary);
        font-size: 0.8rem;
        text-align: center;
      }
      nav a[aria-current='page'] {
        color: var(--_primary);
        border-bottom-color: var(--_primary);
      }
      .starting {
        padding: 2rem 1rem;
        text-align: center;
      }
      .offline {
        margin: 0;
        padding: 0.4rem 1rem;
        background: var(--_warning-bg);
        color: var(--_warning-text);
        font-size: 0.9rem;
      }
      main.view-admin,
      main.view-identity {
        display: block;
      }
      /* Phones: one pane at a time. */
      main.view-list .detail {
        display: none;
      }
      main:not(.view-list) .list {
        display: none;
      }
      .placeholder {
        padding: 2rem 1rem;
        text-align: center;
      }
      /* Wider screens: the list beside the open conversation. */
      @media (min-width: 56rem) {
        main {
          display: grid;
          grid-template-columns: minmax(18rem, 24rem) 1fr;
          min-height: calc(100vh - 8rem);
        }
        main:not(.view-list) .list,
        main.view-list .detail {
          display: block;
        }
        main {
          max-width: none;
        }
        .list {
          border-right: 1px solid var(--_divider);
        }
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: 'embed-token' }) embedToken: string | null = null;
  @property({ reflect: true }) locale: string | null = null;

  @state() private phase: Phase = 'starting';
  @state() private notice: Notice = null;
  @state() private session: RelaisSession | null = null;
  @state() private view: View = { name: 'list' };
  @state() private connected = true;
  @state() private unread = 0;
  /** A "Vérifier mon identité" flow is under way. */
  @state() private verifying = false;
  @state() private verifyError: string | null = null;
  @state() private justVerified = false;
  /** The provider's end-session URL, when the pop-up for it was blocked at sign-out. */
  @state() private providerSignOut: string | null = null;
  /**
   * Administration and "Mon identité" are in relais-extra, loaded the first time one is
   * opened (web/src/extra): meanwhile "Chargement…", and a failure says so with a retry.
   */
  @state() private extra: 'loading' | 'ready' | 'failed' = 'loading';
  /** English is on its way at start (relais-extra): "Connexion…" until then, not French. */
  @state() private localeWaiting = false;

  /** Whether the server offers Pro Santé Connect. */
  protected readonly methods = new AuthMethodsController(this, () => resolveServer(this.server));
  #verifyPopup: Window | null = null;

  /** Re-renders when the account is read again (its roles may have changed). */
  protected readonly sessionWatcher = new SessionWatcher(this, () => this.session);
  /** Decisions waiting for this administrator (the Administration tab's badge). */
  readonly adminPending = new AdminPendingController(this, () => this.session);

  #run = 0;
  #exchanged: string | null = null;
  #onConnection = () => {
    this.connected = this.session?.connected ?? true;
  };
  #onExpired = () => {
    this.notice = 'expired';
    this.#setSession(null);
    this.dispatchEvent(
      new CustomEvent('relais-session-expired', { bubbles: true, composed: true }),
    );
  };

  /** The current session (null when signed out). */
  get currentSession(): RelaisSession | null {
    return this.session;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#setSession(null);
  }

  /** Opens a conversation (as if chosen in the list). */
  openConversation(id: number): void {
    this.#navigate({ name: 'conversation', id });
  }

  /** Shows the new-conversation form. */
  newConversation(): void {
    this.#navigate({ name: 'new' });
  }

  /** Shows the Administration screen (for administrators). */
  showAdministration(): void {
    this.#navigate({ name: 'admin' });
  }

  /** Shows "Mon identité": the account, the directory's entry beside Pro Santé Connect's. */
  showIdentity(): void {
    this.#navigate({ name: 'identity' });
  }

  /** Back to the list (Escape does it too). */
  showList(): void {
    this.#navigate({ name: 'list' });
  }

  /** Changes view and moves the keyboard focus to it, as a page change would. */
  async #navigate(view: View): Promise<void> {
    const from = this.view;
    this.view = view;
    if ((view.name === 'admin' || view.name === 'identity') && !(await this.#loadExtra(view))) {
      return;
    }
    await this.updateComplete;
    const root = this.renderRoot;
    if (view.name === 'list') {
      const list = root.querySelector('relais-conversation-list');
      await list?.updateComplete;
      const opened = from.name === 'conversation' ? from.id : null;
      const target =
        (opened !== null &&
          (list?.renderRoot.querySelector(`[data-id="${opened}"]`) as HTMLElement | null)) ||
        (list?.renderRoot.querySelector('[part="new-button"]') as HTMLElement | null);
      target?.focus();
      return;
    }
    if (view.name === 'admin') {
      await root.querySelector('relais-admin')?.focusHeading();
      return;
    }
    if (view.name === 'identity') {
      await root.querySelector('relais-identity')?.focusHeading();
      return;
    }
    const detail = root.querySelector('relais-conversation, relais-new-conversation') as
      | (HTMLElement & { focusHeading?: () => void })
      | null;
    detail?.focusHeading?.();
  }

  /** Loads relais-extra if needed; false when it failed or the user went elsewhere meanwhile. */
  async #loadExtra(view: View): Promise<boolean> {
    if (extraLoaded()) {
      this.extra = 'ready';
      return true;
    }
    this.extra = 'loading';
    try {
      await loadExtra();
      this.extra = 'ready';
    } catch {
      this.extra = 'failed';
      if (this.view === view) {
        await this.updateComplete;
        (this.renderRoot.querySelector('.extra-failed button') as HTMLElement | null)?.focus();
      }
      return false;
    }
    return this.view === view;
  }

  #onKeydown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    // The administration screen is a tab of its own (its dialogs handle Escape).
    if (this.view.name === 'list' || this.view.name === 'admin') return;
    if (this.view.name === 'identity') {
      e.preventDefault();
      this.showList();
      return;
    }
    // Not while the recipient picker or the invitation screen is open over the form.
    const path = e.composedPath();
    if (
      path.some(
        (n) => n instanceof HTMLElement && /^RELAIS-(RECIPIENT-PICKER|INVITE)$/.test(n.tagName),
      )
    ) {
      return;
    }
    e.preventDefault();
    this.showList();
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('locale')) {
      void applyLocale(this.locale);
      // Only before anything was shown: a later change of language keeps the screen (and
      // the focus) where they are, the texts change when English is there.
      if (!this.hasUpdated && localeLoading() && !this.localeWaiting) {
        this.localeWaiting = true;
        void localeSettled().then(() => {
          this.localeWaiting = false;
        });
      }
    }
    const credentialsChanged =
      (changed.has('token') && changed.get('token') !== undefined) ||
      (changed.has('embedToken') && changed.get('embedToken') !== undefined);
    if (credentialsChanged && this.isConnected) void this.#start();
  }

  async #start(): Promise<void> {
    const run = ++this.#run;
    const server = resolveServer(this.server);
    const stale = () => run !== this.#run;
    this.phase = 'starting';
    // Back from a Pro Santé Connect redirect: the sign-in exchanges the handoff (or shows
    // the error), whatever else the page holds — the user has just chosen to sign in.
    if (hasPscReturn()) {
      this.#setSession(null);
      return;
    }
    try {
      if (this.token) {
        const session = new RelaisSession(server, this.token);
        await session.loadMe();
        if (!stale()) this.#setSession(session, false);
        return;
      }
      // An embed token works once: when the element is moved in the page (disconnected and
      // connected again), the session it already gave is reused from sessionStorage.
      if (this.embedToken && this.embedToken !== this.#exchanged) {
        let session: RelaisSession;
        try {
          session = await signInWithEmbedToken(server, this.embedToken);
          this.#exchanged = this.embedToken;
        } catch (err) {
          if (stale()) return;
          this.notice = err instanceof ApiError && err.unreachable ? 'unreachable' : 'embed-failed';
          this.#setSession(null);
          return;
        }
        await session.loadMe();
        if (!stale()) this.#setSession(session);
        return;
      }
      const stored = loadStoredSession(server);
      if (stored) {
        await stored.loadMe();
        if (!stale()) this.#setSession(stored);
        return;
      }
      if (!stale()) this.#setSession(null);
    } catch (err) {
      if (stale()) return;
      if (err instanceof ApiError && err.unreachable) this.notice = 'unreachable';
      else if (err instanceof ApiError && err.status === 401) this.notice = 'expired';
      this.#setSession(null);
    }
  }

  #setSession(session: RelaisSession | null, persist = true): void {
    const old = this.session;
    if (old && old !== session) {
      old.removeEventListener('expired', this.#onExpired);
      old.removeEventListener('connection', this.#onConnection);
      old.stopRealtime();
    }
    this.session = session;
    this.view = { name: 'list' };
    this.justVerified = false;
    this.verifyError = null;
    if (session) {
      this.providerSignOut = null;
      session.addEventListener('expired', this.#onExpired);
      session.addEventListener('connection', this.#onConnection);
      session.startRealtime();
      if (persist) storeSession(session);
      this.notice = null;
      this.phase = 'ready';
      this.dispatchEvent(
        new CustomEvent('relais-signed-in', {
          detail: { account: session.account },
          bubbles: true,
          composed: true,
        }),
      );
    } else {
      this.phase = 'signed-out';
      if (!this.isConnected) this.phase = 'starting';
    }
  }

  private async onSignedIn(event: CustomEvent<{ session: RelaisSession }>) {
    event.stopPropagation();
    const session = event.detail.session;
    try {
      await session.loadMe();
    } catch {
      // The grant already carries the account; structures load later.
    }
    this.#setSession(session);
  }

  private async signOut() {
    const session = this.session;
    const standalone = !!session && window.location.origin === new URL(session.server).origin;
    // A pop-up must be opened in the click, before any await, or the browser blocks it.
    const popup = session?.via === 'psc' && !standalone ? openPopup('relais-psc-sign-out') : null;
    this.#setSession(null);
    this.notice = 'signed-out';
    const endSessionUrl = (await session?.signOut()) ?? null;
    this.dispatchEvent(new CustomEvent('relais-signed-out', { bubbles: true, composed: true }));
    if (!endSessionUrl) {
      popup?.close();
      return;
    }
    // The provider's session ends where its cookies are: a top-level page of its own.
    if (standalone) {
      window.location.assign(endSessionUrl);
      return;
    }
    const win = popup ?? openPopup('relais-psc-sign-out');
    if (win) win.location.href = endSessionUrl;
    else this.providerSignOut = endSessionUrl;
  }

  /**
   * "Vérifier mon identité avec Pro Santé Connect": an intent for this account, the
   * provider in a pop-up (or the whole page when pop-ups are blocked), then the handoff.
   */
  #verifyIdentity = async () => {
    const session = this.session;
    if (!session) return;
    if (this.#verifyPopup && !this.#verifyPopup.closed) {
      this.#verifyPopup.focus();
      return;
    }
    const popup = openPopup(); // in the click, before the intent is asked for
    this.#verifyPopup = popup;
    this.verifying = true;
    this.verifyError = null;
    try {
      const { intent } = await session.request<{ intent: string }>(
        'POST',
        '/api/auth/psc/intent',
        {},
      );
      if (!popup) {
        redirectToPsc(session.server, { intent });
        return;
      }
      const outcome = await runPscPopup(popup, session.server, { intent });
      if ('handoff' in outcome) await this.#verified(session, outcome.handoff);
      else if ('error' in outcome) this.verifyError = pscErrorText(outcome.code, outcome.error);
    } catch (err) {
      popup?.close();
      if (this.session !== session) return;
      this.verifyError = pscRequestErrorText(err);
    } finally {
      if (this.#verifyPopup === popup) this.#verifyPopup = null;
      this.verifying = false;
    }
  };

  /**
   * The handoff of a verification: the server answers with a session of the same account,
   * now verified by Pro Santé Connect, which replaces the old one (so that signing out
   * also ends the provider's session); the list and everything else reload for it.
   */
  async #verified(session: RelaisSession, handoff: string): Promise<void> {
    const fromIdentity = this.view.name === 'identity';
    const grant = await apiRequest<Partial<SessionGrant> | undefined>(
      session.server,
      'POST',
      '/api/auth/psc/exchange',
      // The verification binds only with this account's own session (see the server).
      { body: { handoff }, token: session.token },
    );
    if (this.session !== session) return;
    if (grant?.token && grant.account && grant.account.id !== session.account?.id) {
      void new RelaisSession(session.server, grant.token).signOut();
      this.verifyError = msg(
        'Pro Santé Connect a identifié une autre personne que celle de ce compte : rien n’a été changé.',
        { id: 'app.verify.other-person' },
      );
      return;
    }
    if (grant?.token && grant.expiresAt && grant.account) {
      const next = RelaisSession.fromGrant(session.server, grant as SessionGrant);
      next.via = 'psc';
      await next.loadMe().catch(() => undefined);
      if (this.session !== session) return;
      this.#setSession(next);
      void session.signOut(); // the old token is revoked; the stored one is the new one
    } else {
      await session.loadMe();
      session.emitRealtime({ type: 'access' });
    }
    this.justVerified = this.session?.me?.identityVerified !== false;
    if (this.justVerified) {
      if (fromIdentity) this.showIdentity();
      else this.showList();
    }
  }

  #noticeText(): string | null {
    switch (this.notice) {
      case 'expired':
        return msg('Votre session a expiré. Reconnectez-vous.', { id: 'app.expired' });
      case 'embed-failed':
        return msg(
          'La connexion automatique depuis votre intranet a échoué (lien expiré ou déjà utilisé). Rechargez la page ou connectez-vous.',
          { id: 'app.embed-failed' },
        );
      case 'signed-out':
        return msg('Vous êtes déconnecté.', { id: 'app.signed-out' });
      case 'unreachable':
        return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
          id: 'signin.unreachable',
        });
      default:
        return null;
    }
  }

  #detail() {
    const back = () => this.showList();
    switch (this.view.name) {
      case 'conversation':
        return html`<relais-conversation .session=${this.session} .conversationId=${this.view.id}
          @relais-back=${back}></relais-conversation>`;
      case 'new':
        return html`<relais-new-conversation .session=${this.session} @relais-back=${back}
          @relais-conversation-created=${(e: CustomEvent<{ id: number }>) => this.openConversation(e.detail.id)}
          @relais-open-conversation=${(e: CustomEvent<{ id: number }>) => {
            e.stopPropagation();
            this.openConversation(e.detail.id);
          }}></relais-new-conversation>`;
      default:
        return html`<p class="placeholder muted">${msg('Choisissez une conversation ou commencez-en une nouvelle.', { id: 'app.choose' })}</p>`;
    }
  }

  override render() {
    if (this.phase === 'starting' || this.localeWaiting) {
      return html`<p class="starting muted" role="status">${msg('Connexion…', { id: 'signin.busy' })}</p>`;
    }
    if (this.phase === 'signed-out' || !this.session) {
      return html`${
        this.providerSignOut
          ? html`<p class="provider-sign-out"><a part="psc-sign-out" href=${this.providerSignOut}
              target="_blank" rel="noopener noreferrer">${msg(
                'Terminer aussi votre session Pro Santé Connect',
                { id: 'app.psc-sign-out' },
              )}</a></p>`
          : nothing
      }<relais-sign-in .server=${this.server} .message=${this.#noticeText()}
        @relais-signed-in=${this.onSignedIn}></relais-sign-in>`;
    }
    const account = this.session.account;
    const name = [account?.firstName, account?.lastName].filter(Boolean).join(' ');
    const unverified = (this.session.me ?? account)?.identityVerified === false;
    return html`
      <header part="header">
        <span class="brand"><slot name="brand">Relais</slot></span>
        <span class="user" part="user">${name || account?.email || ''}</span>${
          unverified ? unverifiedBadge() : nothing
        }
        <button part="identity" aria-pressed=${this.view.name === 'identity' ? 'true' : 'false'}
          @click=${() => (this.view.name === 'identity' ? this.showList() : this.showIdentity())}>${msg(
            'Mon identité',
            { id: 'identity.title' },
          )}</button>
        <button part="sign-out" @click=${this.signOut}>${msg('Se déconnecter', { id: 'app.sign-out' })}</button>
      </header>
      <nav part="tabs" aria-label=${msg('Sections', { id: 'app.sections' })}>
        <a href="#discussion" aria-current=${
          this.view.name === 'admin' || this.view.name === 'identity' ? 'false' : 'page'
        } @click=${(e: Event) => {
          e.preventDefault();
          this.showList();
        }}>
          ${msg('Discussion', { id: 'app.tab.discussion' })}${
            this.unread
              ? html` <span class="badge" part="tab-badge">${this.unread}<span class="visually-hidden">
                  ${msg('non lus', { id: 'app.unread' })}</span></span>`
              : nothing
          }
        </a>
        ${administersSomething(this.session) ? this.#adminTab() : nothing}
      </nav>
      ${unverified && this.methods.psc && this.view.name !== 'identity' ? this.#verifyBanner() : nothing}
      ${
        this.justVerified && !unverified
          ? html`<p class="verified" part="verified" role="status">${msg(
              'Votre identité est vérifiée par Pro Santé Connect.',
              { id: 'app.verify.done' },
            )}</p>`
          : nothing
      }
      ${
        this.connected
          ? nothing
          : html`<p class="offline" role="status">${msg('Connexion perdue, reconnexion…', { id: 'app.reconnecting' })}</p>`
      }
      <main part="main" class=${`view-${this.view.name}`} @keydown=${this.#onKeydown}>
        ${
          (this.view.name === 'admin' || this.view.name === 'identity') && this.extra !== 'ready'
            ? this.#extraStatus()
            : nothing
        }
        ${
          this.view.name === 'admin' && this.extra === 'ready'
            ? html`<relais-admin .session=${this.session}></relais-admin>`
            : nothing
        }
        ${
          this.view.name === 'identity' && this.extra === 'ready'
            ? html`<relais-identity .session=${this.session} .verifying=${this.verifying}
                .verifyError=${this.verifyError}
                @relais-verify-identity=${this.#verifyIdentity}></relais-identity>`
            : nothing
        }
        ${this.#discussion(this.view.name === 'admin' || this.view.name === 'identity')}
      </main>
    `;
  }

  #extraStatus() {
    if (this.extra === 'loading') {
      return html`<p class="placeholder muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`;
    }
    const view = this.view;
    return html`<p class="placeholder extra-failed" role="alert" part="load-error">${msg(
      'Cet écran n’a pas pu être chargé. Vérifiez votre connexion puis réessayez.',
      { id: 'extra.failed' },
    )} <button @click=${() => void this.#navigate(view)}>${msg('Réessayer', { id: 'common.retry' })}</button></p>`;
  }

  #verifyBanner() {
    return html`<section class="verify" part="verify-banner"
      aria-label=${msg('Vérification de votre identité', { id: 'app.verify.region' })}>
      ${verifyWithPsc({
        verifying: this.verifying,
        error: this.verifyError,
        onClick: this.#verifyIdentity,
      })}
    </section>`;
  }

  #adminTab() {
    const pending = this.adminPending.count;
    return html`<a href="#administration" part="admin-tab"
      aria-current=${this.view.name === 'admin' ? 'page' : 'false'}
      @click=${(e: Event) => {
        e.preventDefault();
        this.showAdministration();
      }}>
      ${msg('Administration', { id: 'admin.title' })}${
        pending
          ? html` <span class="badge" part="admin-badge">${pending}<span class="visually-hidden">
              ${msg('en attente', { id: 'app.pending' })}</span></span>`
          : nothing
      }
    </a>`;
  }

  /** The list and the open conversation; kept (hidden) under Administration, so it stays live. */
  #discussion(hidden: boolean) {
    return html`
        <relais-conversation-list class="list" .session=${this.session} ?hidden=${hidden}
          .selected=${this.view.name === 'conversation' ? this.view.id : null}
          @relais-open-conversation=${(e: CustomEvent<{ id: number }>) => this.openConversation(e.detail.id)}
          @relais-new-conversation=${() => this.newConversation()}
          @relais-unread-change=${(e: CustomEvent<{ total: number }>) => {
            this.unread = e.detail.total;
          }}></relais-conversation-list>
        <section class="detail" ?hidden=${hidden}>
          ${this.#detail()}
        </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-app': RelaisApp;
  }
}
