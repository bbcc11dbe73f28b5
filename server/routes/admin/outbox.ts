import Boom from '@hapi/boom';
import type { Request, ServerRoute } from '@hapi/hapi';
import Joi from 'joi';
import type { AppContext } from '../../../domain/context';
import { listOutbox, readOutbox } from '../../../domain/delivery';
import { ctxOf } from '../../types';
import { escapeHtml, page } from '../join/html';

/**
 * The demo outbox: e-mails and SMS written to OUTBOX_DIR when no SMTP server or Twilio
 * account is configured, so that a newcomer can click an invitation link. Open without
 * sign-in outside production (a browser cannot send the bearer token on a plain link);
 * in production it needs an administrator's session.
 */
function requireAccess(request: Request, ctx: AppContext) {
  if (ctx.config.env !== 'production') return;
  const scope = request.auth.credentials?.scope as string[] | undefined;
  if (!request.auth.isAuthenticated) throw Boom.unauthorized('Sign-in required', 'Bearer');
  if (!scope?.includes('admin')) throw Boom.forbidden('Administrators only');
}

const linkify = (text: string) =>
  escapeHtml(text).replace(/https?:\/\/[^\s<"']+/g, (url) => `<a href="${url}">${url}</a>`);

export const outboxListRoute: ServerRoute = {
  method: 'GET',
  path: '/admin/outbox',
  options: {
    auth: { strategy: 'session', mode: 'try' },
    // Open outside production for the demo; an administrator's session in production.
    plugins: { relais: { public: true } },
    description: 'Demo outbox: e-mails and SMS not sent for lack of SMTP/Twilio settings',
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    requireAccess(request, ctx);
    const entries = await listOutbox(ctx.config.delivery.outboxDir);
    const rows = entries
      .map((e) =>
        e.kind === 'email'
          ? `<tr><td>${escapeHtml(e.createdAt)}</td><td>e-mail</td><td>${escapeHtml(e.to)}</td><td><a href="/admin/outbox/${escapeHtml(e.id)}">${escapeHtml(e.subject)}</a></td></tr>`
          : `<tr><td>${escapeHtml(e.createdAt)}</td><td>SMS</td><td>${escapeHtml(e.to)}</td><td>${linkify(e.body)}</td></tr>`,
      )
      .join('\n');
    return page(h, {
      lang: 'en',
      title: 'Outbox',
      body: `<h1>Outbox</h1><p class="muted">No SMTP server or Twilio account is configured: deliveries are kept in <code>${escapeHtml(ctx.config.delivery.outboxDir)}</code>. Newest first.</p>
<table><thead><tr><th>When</th><th>Kind</th><th>To</th><th>Message</th></tr></thead><tbody>${rows || '<tr><td colspan="4">Nothing yet.</td></tr>'}</tbody></table>`,
    });
  },
};

export const outboxEntryRoute: ServerRoute = {
  method: 'GET',
  path: '/admin/outbox/{id}',
  options: {
    auth: { strategy: 'session', mode: 'try' },
    // Open outside production for the demo; an administrator's session in production.
    plugins: { relais: { public: true } },
    description: 'One e-mail of the demo outbox (its plain-text part, links clickable)',
    validate: {
      params: Joi.object({
        id: Joi.string()
          .pattern(/^[A-Za-z0-9-]+$/)
          .max(100),
      }),
    },
  },
  async handler(request, h) {
    const ctx = ctxOf(request);
    requireAccess(request, ctx);
    const entry = await readOutbox(
      ctx.config.delivery.outboxDir,
      (request.params as { id: string }).id,
    );
    if (!entry) throw Boom.notFound('No such outbox entry');
    const text = entry.kind === 'email' ? entry.text : entry.body;
    const title = entry.kind === 'email' ? entry.subject : 'SMS';
    return page(h, {
      lang: 'fr',
      title,
      body: `<p><a href="/admin/outbox">← Outbox</a></p><h1>${escapeHtml(title)}</h1><p class="muted">To ${escapeHtml(entry.to)} · ${escapeHtml(entry.createdAt)}</p><pre style="white-space:pre-wrap">${linkify(text)}</pre>`,
    });
  },
};
