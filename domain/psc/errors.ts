/**
 * Why a Pro Santé Connect sign-in was refused. The code travels back to the page that
 * started the flow (popup message or URL fragment); the messages are what the user reads,
 * so they say what happened and what to do, in French and English.
 */
export const PSC_MESSAGES = {
  'state-expired': {
    fr: 'La connexion Pro Santé Connect a expiré ou a déjà servi. Recommencez.',
    en: 'The Pro Santé Connect sign-in expired or was already used. Please start again.',
  },
  denied: {
    fr: 'La connexion a été annulée sur Pro Santé Connect.',
    en: 'The sign-in was cancelled on Pro Santé Connect.',
  },
  'low-acr': {
    fr: 'Pro Santé Connect n’a pas confirmé une authentification forte (e-CPS ou carte CPS, niveau eidas1). Connexion refusée.',
    en: 'Pro Santé Connect did not confirm a strong authentication (e-CPS or CPS card, level eidas1). Sign-in refused.',
  },
  'bad-signature': {
    fr: 'La réponse de Pro Santé Connect n’a pas une signature valide. Connexion refusée.',
    en: 'The Pro Santé Connect answer does not carry a valid signature. Sign-in refused.',
  },
  'wrong-issuer': {
    fr: 'La réponse ne vient pas du fournisseur Pro Santé Connect configuré. Connexion refusée.',
    en: 'The answer does not come from the configured Pro Santé Connect provider. Sign-in refused.',
  },
  'wrong-audience': {
    fr: 'La réponse de Pro Santé Connect était destinée à un autre service. Connexion refusée.',
    en: 'The Pro Santé Connect answer was meant for another service. Sign-in refused.',
  },
  'nonce-mismatch': {
    fr: 'La réponse de Pro Santé Connect ne correspond pas à cette connexion. Recommencez.',
    en: 'The Pro Santé Connect answer does not match this sign-in. Please start again.',
  },
  'code-rejected': {
    fr: 'Pro Santé Connect a refusé le code de connexion (déjà utilisé ou expiré). Recommencez.',
    en: 'Pro Santé Connect refused the sign-in code (already used or expired). Please start again.',
  },
  'no-rpps': {
    fr: 'Pro Santé Connect n’a pas donné de numéro RPPS. Connexion refusée.',
    en: 'Pro Santé Connect gave no RPPS number. Sign-in refused.',
  },
  'unknown-rpps': {
    fr: 'Votre numéro RPPS n’est pas dans l’annuaire de Relais. Contactez l’administrateur de Relais.',
    en: 'Your RPPS number is not in the Relais directory. Contact your Relais administrator.',
  },
  'rpps-bound-elsewhere': {
    fr: 'Ce numéro RPPS est déjà lié à un autre compte Relais. Rien n’a été modifié : contactez l’administrateur de Relais.',
    en: 'This RPPS number is already bound to another Relais account. Nothing was changed: contact your Relais administrator.',
  },
  'account-bound-elsewhere': {
    fr: 'Votre compte Relais est lié à un autre numéro RPPS que celui de Pro Santé Connect. Rien n’a été modifié : contactez l’administrateur de Relais.',
    en: 'Your Relais account is bound to another RPPS number than the one Pro Santé Connect gave. Nothing was changed: contact your Relais administrator.',
  },
  'other-browser': {
    fr: 'Cette connexion a été commencée dans un autre navigateur. Recommencez depuis Relais.',
    en: 'This sign-in was started in another browser. Please start again from Relais.',
  },
  'verify-elsewhere': {
    fr: 'Cette vérification doit se terminer dans la page Relais où vous l’avez demandée, connecté au même compte.',
    en: 'This verification must end in the Relais page where you asked for it, signed in to the same account.',
  },
  'intent-expired': {
    fr: 'La demande de vérification a expiré. Recommencez depuis Relais.',
    en: 'The verification request expired. Please start again from Relais.',
  },
  'invitation-unusable': {
    fr: 'Ce lien d’invitation n’est plus utilisable (déjà utilisé, expiré ou annulé).',
    en: 'This invitation link can no longer be used (used, expired or cancelled).',
  },
  'account-disabled': {
    fr: 'Ce compte Relais est désactivé.',
    en: 'This Relais account is disabled.',
  },
  failed: {
    fr: 'La connexion avec Pro Santé Connect a échoué. Réessayez ; si cela persiste, contactez l’administrateur de Relais.',
    en: 'Signing in with Pro Santé Connect failed. Try again; if it persists, contact your Relais administrator.',
  },
  unavailable: {
    fr: 'Pro Santé Connect ne répond pas. Réessayez dans quelques minutes.',
    en: 'Pro Santé Connect is not answering. Please try again in a few minutes.',
  },
} as const;

export type PscErrorCode = keyof typeof PSC_MESSAGES;

export class PscError extends Error {
  constructor(
    readonly code: PscErrorCode,
    /** For the log only: what the library or the provider said. */
    readonly detail?: unknown,
  ) {
    super(PSC_MESSAGES[code].en);
    this.name = 'PscError';
  }
}

export function pscMessage(code: PscErrorCode, lang: 'fr' | 'en'): string {
  return PSC_MESSAGES[code][lang];
}
