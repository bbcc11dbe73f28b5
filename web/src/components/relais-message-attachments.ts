import { localized, msg, str } from '@lit/localize';
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import {
  type AttachmentView,
  attachmentsApi,
  formatSize,
  reasonText,
  typeLabel,
  urlExpired,
} from '../api/attachments';
import { element } from '../define';
import type { RelaisSession } from '../session/session';
import { sessionFor } from '../session/standalone';
import { attachmentStyles } from '../styles/attachments';
import { theme } from '../styles/theme';
import './relais-attachment-viewer';
import type { RelaisAttachmentViewer } from './relais-attachment-viewer';

/**
 * The files of a message, under its body: "analyse en cours…" while the server checks
 * one (updated live by `attachment.updated`), then a thumbnail that opens the image full
 * screen, a video player (seekable), an audio player, or a file card with its first page
 * (PDF), type, size and a download link. "non analysé" when the installation has no
 * antivirus. A refused file (only its sender gets it) shows its name and why.
 *
 * Signed URLs are short-lived: when an image or video fails to load, or is used after its
 * expiry, a fresh view is asked once (`GET /api/attachments/{id}`). Names are text, never
 * HTML.
 *
 * @attr server - Origin of the Relais server, when used on its own.
 * @attr token - A session token, when used on its own.
 * @prop attachments - The message's AttachmentView list.
 *
 * @csspart attachment - Each file (also its kind: `image`, `video`, `audio`, `document`,
 *   or `pending`, `refused`).
 * @csspart thumbnail - The thumbnail button of an image.
 * @csspart download - The download link of a document.
 * @csspart not-scanned - The "non analysé" badge.
 */
@element('relais-message-attachments')
@localized()
export class RelaisMessageAttachments extends LitElement {
  static override styles = [
    theme,
    attachmentStyles,
    css`
      ul {
        list-style: none;
        margin: 0.3rem 0 0;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
      }
      li,
      video,
      audio {
        display: block;
        max-width: 100%;
      }
      .thumb {
        padding: 0;
        border-color: var(--_divider);
        overflow: hidden;
      }
      .thumb img {
        display: block;
        width: 9rem;
        height: 9rem;
        object-fit: cover;
      }
      video,
      audio {
        width: 20rem;
        max-height: 16rem;
      }
      .box {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        padding: 0.4rem 0.6rem;
        margin: 0;
        max-width: 22rem;
      }
      .box img {
        width: 3.5rem;
        height: 4.5rem;
        object-fit: cover;
      }
      .box span {
        display: grid;
      }
      .refused {
        border-color: var(--_danger);
      }
    `,
  ];

  @property() server: string | null = null;
  @property() token: string | null = null;
  @property({ attribute: false }) session: RelaisSession | null = null;
  @property({ attribute: false }) attachments: AttachmentView[] = [];

  /** Fresh views fetched after an expired URL, by id, with the URL they replaced. */
  @state() private fresh = new Map<string, { from: string | null; view: AttachmentView }>();
  /** Files refreshed once already: again only when their fresh URL has expired too. */
  private refreshed = new Set<string>();

  /** The current view of a file: the fresh one while the message still has the old URL. */
  private current(a: AttachmentView): AttachmentView {
    const f = this.fresh.get(a.id);
    return f && f.from === a.url && a.status === f.view.status ? f.view : a;
  }

  /**
   * Asks the server for fresh URLs; null when it cannot. Once per file, and again only
   * once the fresh URL has expired too (a file that fails for another reason is not
   * asked for in a loop).
   */
  private async refresh(a: AttachmentView): Promise<AttachmentView | null> {
    const session = sessionFor(this);
    if (!session) return null;
    if (this.refreshed.has(a.id) && !urlExpired(this.current(a))) return null;
    this.refreshed.add(a.id);
    try {
      const view = await attachmentsApi.get(session, a.id);
      this.fresh = new Map(this.fresh).set(a.id, { from: a.url, view });
      await this.updateComplete;
      return view;
    } catch {
      return null;
    }
  }

  /** A URL about to be used: refreshed first when expired. */
  private async usable(a: AttachmentView): Promise<AttachmentView> {
    const view = this.current(a);
    if (!urlExpired(view)) return view;
    return (await this.refresh(a)) ?? view;
  }

  override render() {
    if (!this.attachments.length) return nothing;
    return html`<ul aria-label=${msg('Pièces jointes', { id: 'attach.list' })} aria-live="polite">
        ${this.attachments.map((a) => html`<li>${this.renderItem(this.current(a), a)}</li>`)}
      </ul>
      <relais-attachment-viewer @relais-viewer-error=${this.viewerFailed}></relais-attachment-viewer>`;
  }

  private renderItem(view: AttachmentView, original: AttachmentView) {
    const name = view.name;
    const nameEl = html`<span class="name">${name}</span>`;
    const refresh = () => void this.refresh(original);
    if (view.status === 'rejected' || view.status === 'infected') {
      return html`<p class="box refused" part="attachment refused" data-status=${view.status}>
        <span>${nameEl}<span class="error">${reasonText(view.reason, view.status)}</span></span></p>`;
    }
    if (view.status !== 'ready' || !view.url) {
      return html`<p class="box muted" part="attachment pending" role="status">
        <span>${nameEl}${msg('analyse en cours…', { id: 'attach.pending' })}</span></p>`;
    }
    const badge = view.scanned
      ? nothing
      : html`<span class="badge" part="not-scanned">${msg('non analysé', { id: 'attach.not-scanned' })}</span>`;
    const kind = view.download && view.kind !== 'audio' ? 'document' : (view.kind ?? 'document');
    if (kind === 'image') {
      return html`<div part="attachment image">
        <button type="button" class="thumb" part="thumbnail"
          aria-label=${msg(str`Voir ${name} en plein écran`, { id: 'attach.open-image' })}
          @click=${(e: Event) => this.openImage(original, e.currentTarget as HTMLElement)}>
          <img src=${view.thumbnailUrl ?? view.url} alt=${name} @error=${refresh} />
        </button>${badge}</div>`;
    }
    if (kind === 'video' || kind === 'audio') {
      const play = (e: Event) => this.beforePlay(original, e.target as HTMLMediaElement);
      return html`<div part="attachment ${kind}">${nameEl} ${badge}${
        kind === 'video'
          ? html`<video controls preload="metadata" src=${view.url} poster=${view.thumbnailUrl ?? nothing}
              aria-label=${name} @error=${refresh} @play=${play}></video>`
          : html`<audio controls preload="none" src=${view.url} aria-label=${name}
              @error=${refresh} @play=${play}></audio>`
      }</div>`;
    }
    return html`<div class="box" part="attachment document">
      ${view.thumbnailUrl ? html`<img src=${view.thumbnailUrl} alt="" @error=${refresh} />` : '📄'}
      <span>${nameEl}
        <span class="size">${typeLabel(name, view.mediaType)} · ${formatSize(view.size)} ${badge}</span>
        <a href=${view.url} download=${name} part="download"
          aria-label=${msg(str`Télécharger ${name}`, { id: 'attach.download-label' })}
          @click=${(e: MouseEvent) => this.download(e, original)}>${msg('Télécharger', { id: 'attach.download' })}</a>
      </span>
    </div>`;
  }

  private get viewer(): RelaisAttachmentViewer | null {
    return this.renderRoot.querySelector('relais-attachment-viewer');
  }

  private viewing: AttachmentView | null = null;

  private async openImage(a: AttachmentView, opener: HTMLElement): Promise<void> {
    const view = await this.usable(a);
    if (!view.url) return;
    this.viewing = a;
    await this.viewer?.show(view.url, view.name, opener);
  }

  private viewerFailed = async () => {
    const a = this.viewing;
    if (!a) return;
    const view = await this.refresh(a);
    if (view?.url) this.viewer?.replaceSource(view.url);
  };

  private async beforePlay(a: AttachmentView, media: HTMLMediaElement): Promise<void> {
    if (!urlExpired(this.current(a))) return;
    media.pause();
    const view = await this.refresh(a);
    if (!view?.url) return;
    media.src = view.url;
    void media.play().catch(() => undefined);
  }

  private async download(e: MouseEvent, a: AttachmentView): Promise<void> {
    if (!urlExpired(this.current(a))) return;
    e.preventDefault();
    const view = await this.refresh(a);
    if (!view?.url) return;
    const link = document.createElement('a');
    link.href = view.url;
    link.download = view.name;
    link.click();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'relais-message-attachments': RelaisMessageAttachments;
  }
}
