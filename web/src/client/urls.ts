/**
 * The server gives a file's `url` and `thumbnailUrl` (AttachmentView, docs/attachments.md)
 * as paths on itself, `/files/<id>/file?exp=…&acc=…&sig=…`: a page embedding the
 * components is often on another origin (an intranet), where such a path would point at
 * the intranet. This is the one rule that makes them absolute, against the Relais server
 * the client talks to, applied where JSON enters the client — a REST answer
 * (api/http.ts, client/rest.ts), a realtime event (client/realtime.ts), an upload's
 * answer (client/uploads.ts) — so that every consumer (<img>, <video>, the viewer,
 * downloads) gets absolute URLs. URLs that are already absolute are kept.
 *
 * It changes, in place, every object of the parsed JSON that has a `mediaType` and a
 * `url` or `thumbnailUrl` (the shape of an AttachmentView), wherever it is: a message's
 * `attachments`, `{ attachment }`, `{ upload }`, pages of messages…
 */
export function withAbsoluteFileUrls<T>(json: T, server: string): T {
  visit(json, server);
  return json;
}

function visit(value: unknown, server: string): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) visit(item, server);
    return;
  }
  const object = value as Record<string, unknown>;
  if (typeof object.mediaType === 'string' && ('url' in object || 'thumbnailUrl' in object)) {
    if ('url' in object) object.url = absolute(object.url, server);
    if ('thumbnailUrl' in object) object.thumbnailUrl = absolute(object.thumbnailUrl, server);
    return;
  }
  for (const key of Object.keys(object)) visit(object[key], server);
}

function absolute(url: unknown, server: string): unknown {
  if (typeof url !== 'string' || !url) return url;
  try {
    return new URL(url, new URL(server)).href;
  } catch {
    return url;
  }
}
