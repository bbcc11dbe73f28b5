import type { LinkState } from '../../../domain/invitations';

type Lang = 'fr' | 'en';

export const JOIN_TEXTS = {
  fr: {
    title: 'Rejoindre Relais',
    invitedBy: (name: string) =>
      `${name} vous invite à échanger sur Relais, la messagerie sécurisée des professionnels de santé.`,
    firstName: 'Prénom',
    lastName: 'Nom',
    email: 'Adresse e-mail (pour vous connecter)',
    password: 'Mot de passe (12 caractères au moins)',
    submit: 'Créer mon compte',
    profession: 'Profession',
    structure: 'Structure',
    done: 'Votre compte est créé',
    doneBody: (n: number) =>
      n > 0
        ? `${n} conversation${n > 1 ? 's vous attendent' : ' vous attend'}. Connectez-vous avec votre adresse e-mail et votre mot de passe.`
        : 'Connectez-vous avec votre adresse e-mail et votre mot de passe.',
    signIn: 'Se connecter',
    states: {
      used: [
        'Lien déjà utilisé',
        "Ce lien d'invitation a déjà servi à créer un compte. Connectez-vous avec votre adresse e-mail et votre mot de passe.",
      ],
      expired: [
        'Lien expiré',
        "Ce lien d'invitation a expiré. Demandez à la personne qui vous a invité(e) de vous renvoyer une invitation.",
      ],
      revoked: [
        'Invitation annulée',
        'La personne qui vous a invité(e) a annulé cette invitation.',
      ],
      unknown: [
        'Lien non valide',
        "Ce lien n'est pas (ou plus) valide : il a peut-être été remplacé par une invitation plus récente. Utilisez le dernier message reçu.",
      ],
      'has-account': [
        'Vous avez déjà un compte',
        'Un compte Relais existe déjà pour vous : connectez-vous.',
      ],
    } satisfies Record<Exclude<LinkState, 'valid'>, [string, string]>,
  },
  en: {
    title: 'Join Relais',
    invitedBy: (name: string) =>
      `${name} invites you to exchange on Relais, the secure messaging service for health professionals.`,
    firstName: 'First name',
    lastName: 'Last name',
    email: 'E-mail address (to sign in)',
    password: 'Password (at least 12 characters)',
    submit: 'Create my account',
    profession: 'Profession',
    structure: 'Structure',
    done: 'Your account is ready',
    doneBody: (n: number) =>
      n > 0
        ? `${n} conversation${n > 1 ? 's are' : ' is'} waiting for you. Sign in with your e-mail address and password.`
        : 'Sign in with your e-mail address and password.',
    signIn: 'Sign in',
    states: {
      used: [
        'Link already used',
        'This invitation link has already been used to create an account. Sign in with your e-mail address and password.',
      ],
      expired: [
        'Link expired',
        'This invitation link has expired. Ask the person who invited you to send a new one.',
      ],
      revoked: ['Invitation cancelled', 'The person who invited you cancelled this invitation.'],
      unknown: [
        'Invalid link',
        'This link is not (or no longer) valid: it may have been replaced by a newer invitation. Use the latest message you received.',
      ],
      'has-account': [
        'You already have an account',
        'A Relais account already exists for you: sign in.',
      ],
    } satisfies Record<Exclude<LinkState, 'valid'>, [string, string]>,
  },
} as const;

export function langOf(value: unknown): Lang {
  return value === 'en' ? 'en' : 'fr';
}
