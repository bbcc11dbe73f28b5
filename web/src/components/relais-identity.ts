import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import type { DirectoryIdentity, DirectoryPlace, Me, PscProfileView } from '../api/types';
import { AuthMethodsController } from '../controllers/auth-methods-controller';
import { SessionWatcher } from '../controllers/session-watcher';
import { element } from '../define';
import { intlTag } from '../i18n';
import { unverifiedBadge, unverifiedStyles } from '../identity-badge';
import { resolveServer } from '../session/server-url';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { theme } from '../styles/theme';
import { pscButtonStyles, verifyWithPsc } from '../verify-psc';

type PscActivity = PscProfileView['exercices'][number]['activities'][number];

/**
 * "Mon identité": who the signed-in account is for Relais (name, RPPS, whether the
 * identity is verified, how and when), and the directory's entry beside what Pro Santé
 * Connect said at the last sign-in (profession, savoir-faire, activities: structure and
 * FINESS site). Differences are written out ("différent de Pro Santé Connect", "absent de
 * l'annuaire"), not shown by colour alone; they are not resolved here: the directory may
 * just be older than the provider (the server logs them too).
 *
 * An unverified account sees "Vérifier mon identité avec Pro Santé Connect" when the
 * server offers it; the button fires `relais-verify-identity`, which <relais-app> answers
 * (pop-up or redirect, then the verified session), setting `verifying` and `verifyError`.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 *
 * @fires relais-verify-identity - "Vérifier mon identité avec Pro Santé Connect" was
 *   clicked (handle it in the click: the pop-up must open before any await).
 *
 * @csspart verify-psc - The "Vérifier mon identité avec Pro Santé Connect" button.
 * @csspart directory - The directory's side.
 * @csspart psc - The Pro Santé Connect side.
 * @csspart difference - Each "différent"/"absent" mark.
 * @csspart unverified - "identité non vérifiée".
 */
@element('relais-identity')
@localized()
export class RelaisIdentity extends LitElement {
  static override styles = [
    theme,
    unverifiedStyles,
    pscButtonStyles,
    css`
      :host {
        display: block;
        padding: 1rem;
        max-width: 60rem;
      }
      h1 {
        font-size: 1.3rem;
        margin: 0 0 0.75rem;
      }
      h1:focus {
        outline: none;
      }
      h2 {
        font-size: 1.1rem;
        margin: 0 0 0.5rem;
      }
      h3 {
        font-size: 1rem;
        margin: 0.75rem 0 0.25rem;
      }
      dl {
        margin: 0;
        display: grid;
        grid-template-columns: minmax(6rem, max-content) 1fr;
        gap: 0.25rem 0.75rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      ul {
        margin: 0;
        padding-inline-start: 1.2rem;
      }
      li + li {
        margin-top: 0.35rem;
      }
      .summary {
        margin: 1rem 0;
        font-weight: 600;
      }
      .compare {
        display: grid;
        gap: 1rem;
      }
      .compare > section {
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        padding: 0.75rem;
        min-width: 0;
      }
      .exercice + .exercice {
        margin-top: 0.75rem;
        padding-top: 0.75rem;
        border-top: 1px solid var(--_divider);
      }
      .diff {
        display: inline-block;
        margin-inline-start: 0.35em;
        padding: 0 0.4em;
        border: 1px solid currentColor;
        border-radius: 0.6em;
        background: var(--_warning-bg);
        color: var(--_warning-text);
        font-size: 0.85em;
        font-weight: 600;
      }
      .verify {
        margin: 1rem 0;
        padding: 0.6rem 0.75rem;
        background: var(--_warning-bg);
        color: var(--_warning-text);
        border-radius: var(--_radius);
      }
      .verify p {
        margin: 0 0 0.5rem;
      }
      .verify .error {
        margin: 0.5rem 0 0;
        color: var(--_danger);
        font-weight: 600;
      }
      @media (min-width: 40rem) {
        .compare {
          grid-template-columns: 1fr 1fr;
        }
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;
  /** A verification started from here is under way (set by <relais-app>). */
  @property({ type: Boolean }) verifying = false;
  /** Why the last verification failed (set by <relais-app>). */
  @property({ attribute: false }) verifyError: string | null = null;

  protected readonly sessionWatcher = new SessionWatcher(this, () => sessionFor(this));
  protected readonly methods = new AuthMethodsController(
    this,
    () => sessionFor(this)?.server ?? resolveServer(this.server),
  );

  /** Moves the focus to the title, as a page change would. */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    (this.renderRoot.querySelector('h1') as HTMLElement | null)?.focus();
  }

  #verify = () => {
    this.dispatchEvent(
      new CustomEvent('relais-verify-identity', { bubbles: true, composed: true }),
    );
  };

  #date(value: string): string {
    const timeZone = sessionFor(this)?.me?.timeZone || undefined;
    return new Intl.DateTimeFormat(intlTag(), { timeZone, dateStyle: 'short' }).format(
      new Date(value),
    );
  }

  override render() {
    const me = sessionFor(this)?.me;
    if (!me) {
      return html`<h1 tabindex="-1">${msg('Mon identité', { id: 'identity.title' })}</h1>
        <p class="muted" role="status">${msg('Chargement…', { id: 'common.loading' })}</p>`;
    }
    const name = [me.firstName, me.lastName].filter(Boolean).join(' ') || me.email || '';
    const directory = me.directoryIdentity ?? null;
    const psc = me.pscProfile ?? null;
    const diff = compare(directory, psc);
    return html`
      <h1 tabindex="-1">${msg('Mon identité', { id: 'identity.title' })}</h1>
      <dl>
        <dt>${msg('Nom', { id: 'identity.name' })}</dt>
        <dd>${name}</dd>
        <dt>RPPS</dt>
        <dd>${directory ? rppsOf(directory.nationalId) : msg('aucun', { id: 'identity.no-rpps' })}</dd>
        <dt>${msg('Identité', { id: 'identity.status' })}</dt>
        <dd>${this.#status(me)}</dd>
      </dl>
      ${me.identityVerified === false && this.methods.psc ? this.#verifyAction() : nothing}
      ${this.#summary(directory, psc, diff.count)}
      <div class="compare">
        <section part="directory" aria-labelledby="directory-title">
          <h2 id="directory-title">${msg('Annuaire', { id: 'identity.directory' })}</h2>
          ${directory ? this.#directory(directory, diff) : html`<p class="muted">${msg('Ce compte n’est rattaché à aucune fiche de l’annuaire.', { id: 'identity.no-directory' })}</p>`}
        </section>
        <section part="psc" aria-labelledby="psc-title">
          <h2 id="psc-title">Pro Santé Connect</h2>
          ${psc ? this.#psc(psc, directory, diff) : html`<p class="muted">${msg('Rien encore : le profil s’affiche ici après une connexion avec Pro Santé Connect.', { id: 'identity.no-psc' })}</p>`}
        </section>
      </div>
    `;
  }

  #status(me: Me) {
    if (me.identityVerified === false) return unverifiedBadge();
    const when = me.identityVerifiedAt ? this.#date(me.identityVerifiedAt) : null;
    switch (me.identityVerificationMethod) {
      case 'pro-sante-connect':
        return when
          ? msg(str`Vérifiée par Pro Santé Connect le ${when}`, { id: 'identity.verified-psc-on' })
          : msg('Vérifiée par Pro Santé Connect', { id: 'identity.verified-psc' });
      case 'admin':
        return when
          ? msg(str`Vérifiée par un administrateur le ${when}`, {
              id: 'identity.verified-admin-on',
            })
          : msg('Vérifiée par un administrateur', { id: 'identity.verified-admin' });
      default:
        return msg('Vérifiée', { id: 'identity.verified' });
    }
  }

  #verifyAction() {
    return html`<div class="verify">${verifyWithPsc({
      verifying: this.verifying,
      error: this.verifyError,
      onClick: this.#verify,
    })}</div>`;
  }

  #summary(directory: DirectoryIdentity | null, psc: PscProfileView | null, count: number) {
    if (!directory || !psc) return nothing;
    return html`<p class="summary" role="status">${
      count === 0
        ? msg('L’annuaire et Pro Santé Connect concordent.', { id: 'identity.same' })
        : count === 1
          ? msg('1 différence entre l’annuaire et Pro Santé Connect.', { id: 'identity.one-diff' })
          : msg(str`${count} différences entre l’annuaire et Pro Santé Connect.`, {
              id: 'identity.diffs',
            })
    }</p>`;
  }

  #mark(text: string) {
    return html`<span class="diff" part="difference">${text}</span>`;
  }

  #differsFromPsc() {
    return this.#mark(msg('différent de Pro Santé Connect', { id: 'identity.differs-psc' }));
  }

  #differsFromDirectory() {
    return this.#mark(msg('différent de l’annuaire', { id: 'identity.differs-directory' }));
  }

  #directory(d: DirectoryIdentity, diff: Comparison) {
    return html`<dl>
        <dt>${msg('Profession', { id: 'identity.profession' })}</dt>
        <dd>${labelled(d.profession, d.professionCode)}${diff.profession ? this.#differsFromPsc() : nothing}</dd>
        <dt>${msg('Spécialité', { id: 'identity.speciality' })}</dt>
        <dd>${labelled(d.speciality, d.specialityCode)}${diff.speciality ? this.#differsFromPsc() : nothing}</dd>
      </dl>
      <h3>${msg('Lieux d’exercice', { id: 'identity.places' })}</h3>
      ${
        d.places.length === 0
          ? html`<p class="muted">${msg('Aucun', { id: 'identity.none' })}</p>`
          : html`<ul>${d.places.map(
              (p) =>
                html`<li>${placeLine(p.structureName, p.finessSite, [p.city, p.practiceMode])}${
                  diff.onlyInDirectory.has(p)
                    ? this.#mark(msg('absent de Pro Santé Connect', { id: 'identity.not-in-psc' }))
                    : nothing
                }</li>`,
            )}</ul>`
      }`;
  }

  #psc(psc: PscProfileView, d: DirectoryIdentity | null, diff: Comparison) {
    return html`${
      psc.checkedAt
        ? html`<p class="muted">${msg(str`Reçu à la connexion du ${this.#date(psc.checkedAt)}`, {
            id: 'identity.psc-checked',
          })}</p>`
        : nothing
    }${
      psc.exercices.length === 0
        ? html`<p class="muted">${msg('Aucun exercice déclaré.', { id: 'identity.no-exercice' })}</p>`
        : psc.exercices.map(
            (x) => html`<div class="exercice"><dl>
              <dt>${msg('Profession', { id: 'identity.profession' })}</dt>
              <dd>${labelled(x.profession, x.codeProfession)}${
                d && diff.profession && x.codeProfession !== d.professionCode
                  ? this.#differsFromDirectory()
                  : nothing
              }</dd>
              <dt>${msg('Savoir-faire', { id: 'identity.savoir-faire' })}</dt>
              <dd>${labelled(x.savoirFaire, x.codeSavoirFaire)}${
                d && diff.speciality && x.codeSavoirFaire && x.codeSavoirFaire !== d.specialityCode
                  ? this.#differsFromDirectory()
                  : nothing
              }</dd>
            </dl>
            <h3>${msg('Activités', { id: 'identity.activities' })}</h3>
            ${
              x.activities.length === 0
                ? html`<p class="muted">${msg('Aucune', { id: 'identity.none-f' })}</p>`
                : html`<ul>${x.activities.map(
                    (a) =>
                      html`<li>${placeLine(
                        a.raisonSocialeSite ??
                          msg('Structure sans nom', { id: 'identity.unnamed' }),
                        a.numeroFinessSite,
                        [a.modeExercice],
                      )}${
                        d && diff.onlyInPsc.has(a)
                          ? this.#mark(
                              msg('absent de l’annuaire', { id: 'identity.not-in-directory' }),
                            )
                          : nothing
                      }</li>`,
                  )}</ul>`
            }</div>`,
          )
    }`;
  }
}

/** The RPPS of a national id ('8' + RPPS). */
function rppsOf(nationalId: string): string {
  return /^8\d{11}$/.test(nationalId) ? nationalId.slice(1) : nationalId;
}

function labelled(label: string | null, code: string | null): string {
  if (label && code) return `${label} (${code})`;
  return label || code || '—';
}

function placeLine(name: string, finess: string | null, more: Array<string | null>) {
  const details = [
    finess ? msg(str`FINESS ${finess}`, { id: 'identity.finess' }) : null,
    ...more,
  ].filter(Boolean);
  return html`<strong>${name}</strong>${details.length ? html` · ${details.join(' · ')}` : nothing}`;
}

interface Comparison {
  profession: boolean;
  speciality: boolean;
  onlyInDirectory: Set<DirectoryPlace>;
  onlyInPsc: Set<PscActivity>;
  count: number;
}

const placeKey = (finess: string | null, name: string | null) =>
  finess ? `finess:${finess}` : `name:${(name ?? '').trim().toLocaleUpperCase('fr-FR')}`;

/** What differs, by the same rules as the server's log (domain/psc/accounts.ts). */
function compare(d: DirectoryIdentity | null, psc: PscProfileView | null): Comparison {
  const none: Comparison = {
    profession: false,
    speciality: false,
    onlyInDirectory: new Set(),
    onlyInPsc: new Set(),
    count: 0,
  };
  if (!d || !psc) return none;
  const professions = psc.exercices.map((x) => x.codeProfession);
  const specialities = psc.exercices.map((x) => x.codeSavoirFaire).filter(Boolean);
  const profession = d.professionCode !== null && !professions.includes(d.professionCode);
  const speciality =
    d.specialityCode !== null &&
    specialities.length > 0 &&
    !specialities.includes(d.specialityCode);
  const activities = psc.exercices.flatMap((x) => x.activities);
  const pscKeys = new Set(activities.map((a) => placeKey(a.numeroFinessSite, a.raisonSocialeSite)));
  const directoryKeys = new Set(d.places.map((p) => placeKey(p.finessSite, p.structureName)));
  const onlyInDirectory = new Set(
    d.places.filter((p) => !pscKeys.has(placeKey(p.finessSite, p.structureName))),
  );
  const onlyInPsc = new Set(
    activities.filter((a) => !directoryKeys.has(placeKey(a.numeroFinessSite, a.raisonSocialeSite))),
  );
  return {
    profession,
    speciality,
    onlyInDirectory,
    onlyInPsc,
    count: Number(profession) + Number(speciality) + onlyInDirectory.size + onlyInPsc.size,
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-identity': RelaisIdentity;
  }
}
