import { msg } from '@lit/localize';
import type { AttachmentReason, AttachmentView } from '../client/types';
import { Uploader, type UploaderOptions } from '../client/uploads';
import { getLocale } from '../i18n';
import type { RelaisSession } from '../session/session';

/**
 * Attachments as the components use them (docs/attachments.md): a fresh view of a file
 * (new signed URLs), an uploader bound to a session, and the words for what the server
 * says in codes (refusal reasons, sizes).
 */
export type { AttachmentKind, AttachmentReason, AttachmentView } from '../client/types';

/** At most this many files in one message (the server refuses more). */
export const MAX_FILES_PER_MESSAGE = 10;

export const attachmentsApi = {
  /** A fresh view (new signed URLs) of a file the reader may see. */
  async get(session: RelaisSession, id: string, signal?: AbortSignal): Promise<AttachmentView> {
    const answer = await session.get<{ attachment?: AttachmentView } & Partial<AttachmentView>>(
      `/api/attachments/${encodeURIComponent(id)}`,
      signal,
    );
    // `{ attachment }` or the view itself: either shape is read.
    return (answer.attachment ?? answer) as AttachmentView;
  },
  /** The server's view of one of the user's uploads. */
  async upload(session: RelaisSession, id: string, signal?: AbortSignal): Promise<AttachmentView> {
    const answer = await session.get<{ upload: AttachmentView }>(
      `/api/uploads/${encodeURIComponent(id)}`,
      signal,
    );
    return answer.upload;
  },
};

/** An uploader that authenticates with the session (a 401 ends it). */
export function uploaderFor(
  session: RelaisSession,
  options: Omit<UploaderOptions, 'baseUrl' | 'token' | 'onUnauthorized'>,
): Uploader {
  return new Uploader({
    ...options,
    baseUrl: new URL(session.server).origin,
    token: () => session.token,
    onUnauthorized: () => session.expire(),
  });
}

/** Whether a signed URL has expired (or will within the margin). */
export function urlExpired(view: AttachmentView, marginMs = 5000): boolean {
  if (!view.urlExpiresAt) return false;
  return Date.parse(view.urlExpiresAt) - marginMs <= Date.now();
}

/** The reason a file was refused, in plain words. */
export function reasonText(reason: AttachmentReason | null, status?: string): string {
  switch (reason) {
    case 'empty':
      return msg('Fichier vide', { id: 'attach.reason.empty' });
    case 'type-not-allowed':
      return msg('Type de fichier non autorisé', { id: 'attach.reason.type' });
    case 'too-large':
      return msg('Fichier trop volumineux', { id: 'attach.reason.too-large' });
    case 'image-too-large':
      return msg('Image trop grande (trop de pixels)', { id: 'attach.reason.image-too-large' });
    case 'unreadable':
      return msg('Fichier illisible ou endommagé', { id: 'attach.reason.unreadable' });
    case 'malware':
      return msg('Fichier refusé : virus détecté', { id: 'attach.reason.malware' });
    default:
      return status === 'infected'
        ? msg('Fichier refusé : virus détecté', { id: 'attach.reason.malware' })
        : msg('Fichier refusé', { id: 'attach.reason.other' });
  }
}

/** "2,4 Mo" / "2.4 MB": decimal units, as file managers show them. */
export function formatSize(bytes: number): string {
  const en = getLocale() === 'en';
  const units = en ? ['B', 'kB', 'MB', 'GB'] : ['o', 'ko', 'Mo', 'Go'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  const number = new Intl.NumberFormat(en ? 'en-GB' : 'fr-FR', {
    maximumFractionDigits: digits,
  }).format(value);
  return `${number} ${units[unit]}`;
}

/** A short type for a file card: "PDF", "DOCX", "MP3"… (from its name, else its media type). */
export function typeLabel(name: string, mediaType: string): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1];
  return (ext ?? mediaType.split('/')[1] ?? mediaType).toUpperCase();
}
