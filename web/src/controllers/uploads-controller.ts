import { msg, str } from '@lit/localize';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  type AttachmentView,
  attachmentsApi,
  MAX_FILES_PER_MESSAGE,
  uploaderFor,
} from '../api/attachments';
import type { RealtimeEvent } from '../api/types';
import { UploadError, type Uploader } from '../client/uploads';
import type { RelaisSession } from '../session/session';

/**
 * The files of a message being written: each uploaded as soon as it is picked (resumable,
 * client/uploads.ts), then followed until the worker has checked it (`attachment.updated`
 * over the realtime link, and a GET every few seconds in case an event is missed).
 * Sending waits for the uploads (`settled()`) and takes the ids (`ids()`); a file that
 * failed or was refused holds the message back until it is retried or removed.
 */
export type UploadPhase =
  /** Bytes going up (`retrying` while waiting to resume after a drop). */
  | 'uploading'
  | 'retrying'
  /** Every byte stored; the worker checks it ("analyse en cours…"). */
  | 'processing'
  | 'ready'
  /** The worker refused it: `view.reason` says why. */
  | 'refused'
  /** The upload stopped for good: `error` says why; `retry()` may try again. */
  | 'failed';

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  phase: UploadPhase;
  sent: number;
  total: number;
  view: AttachmentView | null;
  error: string | null;
}

const POLL_MS = 4000;

function phaseOf(view: AttachmentView): UploadPhase {
  switch (view.status) {
    case 'uploading':
      return 'uploading';
    case 'pending':
      return 'processing';
    case 'ready':
      return 'ready';
    default:
      return 'refused';
  }
}

/** The sentence for an upload that stopped. */
export function uploadErrorText(err: unknown): string {
  if (!(err instanceof UploadError)) {
    return msg('Le téléversement a échoué.', { id: 'upload.failed' });
  }
  switch (err.kind) {
    case 'too-large':
      return msg(str`Fichier trop volumineux : ${err.message}`, { id: 'upload.too-large' });
    case 'quota':
      return msg(str`Limite quotidienne de téléversement atteinte : ${err.message}`, {
        id: 'upload.quota',
      });
    case 'network':
      return msg('Le serveur Relais est injoignable : le téléversement est interrompu.', {
        id: 'upload.network',
      });
    case 'unauthorized':
      return msg('Votre session a expiré. Reconnectez-vous.', { id: 'app.expired' });
    default:
      return msg(str`Téléversement refusé : ${err.message}`, { id: 'upload.refused' });
  }
}

let counter = 0;

export class UploadsController implements ReactiveController {
  items: UploadItem[] = [];
  /** Said once when files beyond the limit were left out. */
  notice: string | null = null;

  private files = new Map<string, File>();
  private uploaders = new Map<string, Uploader>();
  private running = new Map<string, Promise<void>>();
  private session: RelaisSession | null = null;
  private poll: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly source: () => { session: RelaisSession | null; conversationId: number | null },
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.attach(this.source().session);
  }

  hostUpdate(): void {
    const { session } = this.source();
    if (session !== this.session) this.attach(session);
  }

  hostDisconnected(): void {
    this.attach(null);
    this.stopPolling();
  }

  private attach(session: RelaisSession | null): void {
    this.session?.removeEventListener('realtime', this.onRealtime);
    this.session = session;
    session?.addEventListener('realtime', this.onRealtime);
  }

  /** Any upload still sending bytes. */
  get uploading(): boolean {
    return this.items.some((i) => i.phase === 'uploading' || i.phase === 'retrying');
  }

  /** Files that hold the message back (failed or refused). */
  get blocking(): UploadItem[] {
    return this.items.filter((i) => i.phase === 'failed' || i.phase === 'refused');
  }

  /** The upload ids to send, in the order the files were picked. */
  ids(): string[] {
    return this.items.flatMap((i) => (i.view && i.phase !== 'refused' ? [i.view.id] : []));
  }

  /** Starts uploading these files (up to the per-message limit). */
  add(files: File[]): void {
    const room = MAX_FILES_PER_MESSAGE - this.items.length;
    const taken = files.slice(0, Math.max(0, room));
    const left = files.length - taken.length;
    const max = MAX_FILES_PER_MESSAGE;
    this.notice = left
      ? msg(str`${max} fichiers au plus par message : ${left} fichier(s) non ajouté(s).`, {
          id: 'upload.limit',
        })
      : null;
    for (const file of taken) {
      const key = `u${++counter}`;
      this.files.set(key, file);
      this.items = [
        ...this.items,
        {
          key,
          name: file.name,
          size: file.size,
          phase: 'uploading',
          sent: 0,
          total: file.size,
          view: null,
          error: null,
        },
      ];
      this.start(key);
    }
    this.host.requestUpdate();
  }

  /** Tries a failed upload again (resumes where the server stands when it can). */
  retry(key: string): void {
    const item = this.item(key);
    if (item?.phase !== 'failed') return;
    this.update(key, { phase: 'uploading', error: null });
    this.start(key);
  }

  /** Cancels (or removes) a file: its upload is deleted on the server. */
  remove(key: string): void {
    const uploader = this.uploaders.get(key);
    this.items = this.items.filter((i) => i.key !== key);
    this.files.delete(key);
    this.uploaders.delete(key);
    this.notice = null;
    void uploader?.cancel();
    this.host.requestUpdate();
  }

  /** Forgets every file (after the message is sent: they belong to it now). */
  clear(): void {
    this.items = [];
    this.notice = null;
    this.files.clear();
    this.uploaders.clear();
    this.running.clear();
    this.stopPolling();
    this.host.requestUpdate();
  }

  /** Resolves when no upload is sending bytes any more (each ended one way or another). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()]);
  }

  private item(key: string): UploadItem | undefined {
    return this.items.find((i) => i.key === key);
  }

  private update(key: string, patch: Partial<UploadItem>): void {
    if (!this.item(key)) return;
    this.items = this.items.map((i) => (i.key === key ? { ...i, ...patch } : i));
    this.host.requestUpdate();
  }

  private start(key: string): void {
    const session = this.source().session;
    const file = this.files.get(key);
    if (!session || !file) {
      this.update(key, { phase: 'failed', error: uploadErrorText(null) });
      return;
    }
    let uploader = this.uploaders.get(key);
    if (!uploader) {
      uploader = uploaderFor(session, {
        file,
        conversationId: this.source().conversationId,
        onProgress: (sent, total) => this.update(key, { sent, total, phase: 'uploading' }),
        onUpload: (view) => this.update(key, { view }),
        onRetry: () => this.update(key, { phase: 'retrying' }),
      });
      this.uploaders.set(key, uploader);
    }
    const run = uploader.start().then(
      (view) => {
        this.update(key, { view, phase: phaseOf(view), sent: view.size, error: null });
        this.pollIfNeeded();
      },
      (err) => {
        if (err instanceof UploadError && err.kind === 'cancelled') return;
        this.update(key, { phase: 'failed', error: uploadErrorText(err) });
      },
    );
    const tracked = run.finally(() => {
      if (this.running.get(key) === tracked) this.running.delete(key);
    });
    this.running.set(key, tracked);
  }

  private onRealtime = (event: Event) => {
    const e = (event as CustomEvent<RealtimeEvent>).detail;
    if (e.type !== 'attachment') return;
    this.apply(e.attachment);
  };

  private apply(view: AttachmentView): void {
    const item = this.items.find((i) => i.view?.id === view.id);
    if (!item || item.phase === 'uploading' || item.phase === 'retrying') return;
    this.update(item.key, { view, phase: phaseOf(view) });
    this.pollIfNeeded();
  }

  /** While files are checked, their state is asked now and then (an event may be missed). */
  private pollIfNeeded(): void {
    const waiting = this.items.some((i) => i.phase === 'processing');
    if (!waiting) {
      this.stopPolling();
      return;
    }
    this.poll ??= setInterval(() => {
      const session = this.session;
      if (!session) return;
      for (const item of this.items) {
        if (item.phase !== 'processing' || !item.view) continue;
        attachmentsApi.upload(session, item.view.id).then(
          (view) => this.apply(view),
          () => undefined, // Next time.
        );
      }
    }, POLL_MS);
  }

  private stopPolling(): void {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
  }
}
