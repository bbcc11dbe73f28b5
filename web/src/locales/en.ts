import { str } from '@lit/localize';

/**
 * English templates, keyed by the ids given to msg() in the components (French is the
 * source language). `${0}`, `${1}`… stand for the source template's expressions, in order.
 */
export const templates = {
  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'signin.lead': 'Secure messaging between professionals',
  'signin.email': 'E-mail address',
  'signin.password': 'Password',
  'signin.busy': 'Signing in…',
  'signin.submit': 'Sign in',
  'signin.missing': 'Enter your e-mail address and your password.',
  'signin.unreachable': 'The Relais server cannot be reached. Check your connection and try again.',
  'signin.wrong': 'Wrong e-mail address or password.',
  'signin.locked': str`Too many failed attempts. Try again in ${0} min.`,
  'signin.bad-email': 'This e-mail address is not valid.',
  'signin.failed': 'Sign-in failed. Try again in a moment.',
  'app.expired': 'Your session has expired. Please sign in again.',
  'app.embed-failed':
    'Automatic sign-in from your intranet failed (the link expired or was already used). Reload the page or sign in.',
  'app.signed-out': 'You are signed out.',
  'app.sign-out': 'Sign out',
  'app.sections': 'Sections',
  'app.tab.discussion': 'Discussion',
  'list.new': 'New conversation',
  'list.error': 'The conversations could not be loaded.',
  'list.empty': 'No conversations',
  'list.label': 'Conversations',
  'list.unread': 'unread',
};
