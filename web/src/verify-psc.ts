import { msg } from '@lit/localize';
import { css, html, nothing } from 'lit';

/**
 * "Vérifier mon identité avec Pro Santé Connect" for an unverified account: why, the
 * button (part `verify-psc`) and the last refusal. Shown in <relais-app>'s banner and in
 * <relais-identity>; both run the same flow (relais-app's #verifyIdentity).
 */
export function verifyWithPsc(options: {
  verifying: boolean;
  error: string | null;
  onClick: () => void;
}) {
  return html`<p>${msg(
    'Votre identité n’est pas encore vérifiée : vos correspondants voient « identité non vérifiée » à côté de votre nom.',
    { id: 'app.verify.why' },
  )}</p>
    <button class="psc" part="verify-psc" @click=${options.onClick}
      aria-busy=${options.verifying ? 'true' : 'false'}>
      ${msg('Vérifier mon identité avec Pro Santé Connect', { id: 'app.verify.psc' })}
    </button>
    ${options.error ? html`<p class="error" role="alert">${options.error}</p>` : nothing}`;
}

/** The Pro Santé Connect button's colours (ANS guidelines; see <relais-sign-in>). */
export const pscButtonStyles = css`
  button.psc {
    background: var(--relais-psc-background, #000091);
    color: var(--relais-psc-text, #ffffff);
    border: 2px solid var(--relais-psc-background, #000091);
    border-radius: 4px;
    font-weight: 700;
  }
`;
