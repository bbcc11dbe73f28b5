import { msg } from '@lit/localize';
import { ApiError } from './api/http';

/**
 * What the user reads when Pro Santé Connect did not sign them in. The server names the
 * reason with a code (domain/psc/errors.ts: the pop-up's message carries it with a
 * sentence in the page's language, a redirect brings only `#relais-psc-error=<code>`);
 * the sentences here say the same as the server's, in the element's language.
 */
export function pscErrorText(code: string | null | undefined, serverText?: string): string {
  switch (code) {
    case 'denied':
    case 'access_denied':
      return msg('La connexion a été annulée sur Pro Santé Connect.', { id: 'psc.denied' });
    case 'state-expired':
    case 'code-rejected':
    case 'nonce-mismatch':
      return msg('La connexion Pro Santé Connect a expiré ou a déjà servi. Recommencez.', {
        id: 'psc.expired',
      });
    case 'other-browser':
      return msg(
        'Cette connexion a été commencée dans un autre navigateur. Recommencez depuis Relais.',
        { id: 'psc.other-browser' },
      );
    case 'verify-elsewhere':
      return msg(
        'Cette vérification doit se terminer dans la page Relais où vous l’avez demandée, connecté au même compte.',
        { id: 'psc.verify-elsewhere' },
      );
    case 'intent-expired':
      return msg('La demande de vérification a expiré. Recommencez depuis Relais.', {
        id: 'psc.intent-expired',
      });
    case 'low-acr':
      return msg(
        'Pro Santé Connect n’a pas confirmé une authentification forte (e-CPS ou carte CPS, niveau eidas1). Connexion refusée.',
        { id: 'psc.low-acr' },
      );
    case 'bad-signature':
    case 'wrong-issuer':
    case 'wrong-audience':
      return msg('La réponse de Pro Santé Connect n’a pas pu être vérifiée. Connexion refusée.', {
        id: 'psc.unverifiable',
      });
    case 'no-rpps':
    case 'unknown-rpps':
      return msg(
        'Votre numéro RPPS n’est pas dans l’annuaire de Relais. Contactez l’administrateur de Relais.',
        { id: 'psc.unknown-rpps' },
      );
    case 'rpps-bound-elsewhere':
      return msg(
        'Ce numéro RPPS est déjà lié à un autre compte Relais. Rien n’a été modifié : contactez l’administrateur de Relais.',
        { id: 'psc.rpps-bound-elsewhere' },
      );
    case 'account-bound-elsewhere':
      return msg(
        'Votre compte Relais est lié à un autre numéro RPPS que celui de Pro Santé Connect. Rien n’a été modifié : contactez l’administrateur de Relais.',
        { id: 'psc.account-bound-elsewhere' },
      );
    case 'invitation-unusable':
      return msg('Ce lien d’invitation n’est plus utilisable (déjà utilisé, expiré ou annulé).', {
        id: 'psc.invitation-unusable',
      });
    case 'account-disabled':
      return msg('Ce compte Relais est désactivé.', { id: 'psc.account-disabled' });
    case 'unavailable':
      return msg('Pro Santé Connect ne répond pas. Réessayez dans quelques minutes.', {
        id: 'psc.unavailable',
      });
  }
  // A reason this version does not know: the server's own sentence, else ours.
  if (serverText?.trim()) return serverText.trim();
  const failed = msg(
    'La connexion avec Pro Santé Connect a échoué. Réessayez ; si cela persiste, contactez l’administrateur de Relais.',
    { id: 'psc.failed' },
  );
  return code ? `${failed} (${code})` : failed;
}

/** A refused handoff exchange or intent, or an unreachable server. */
export function pscRequestErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.unreachable) {
      return msg('Le serveur Relais est injoignable. Vérifiez votre connexion puis réessayez.', {
        id: 'signin.unreachable',
      });
    }
    if (err.status === 410 || err.status === 400) return pscErrorText('state-expired');
    if (err.status === 403) return pscErrorText('account-disabled');
    if (err.status === 404) return pscErrorText('unavailable');
  }
  return pscErrorText(null);
}
