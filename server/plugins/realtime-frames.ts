import Boom from '@hapi/boom';
import Joi from 'joi';
import type { RawData, WebSocket, WebSocketServer } from 'ws';

/**
 * Every frame a client sends is checked here before @hapi/nes sees it. nes 14 trusts the
 * shape of what it parses (lib/socket.js reads `request.type`, `auth.headers[…]`,
 * `path.indexOf`… without checks) and rethrows the resulting TypeErrors as "system" errors,
 * which end as unhandled rejections: one malformed frame, even before authentication, took
 * the whole process down. So the protocol is written down once, as schemas of the frames the
 * nes client writes, and anything else is answered with a nes error frame (the shape nes's
 * own `_error` sends, with the frame's type and id when they are usable) and never reaches nes.
 *
 * A socket that keeps sending invalid frames is closed: a client library never sends one,
 * so a few mean a bug or an attack, and answering a flood would only spend the node's time.
 * Frame size is bounded by ws's maxPayload (the listener closes with 1009 above it).
 *
 * Error replies are written on the ws directly, outside nes's send queue: nes writes each of
 * its frames whole (no maxChunkChars), so the two can interleave only between frames.
 */

/** Invalid frames tolerated on one socket before it is closed. */
export const MAX_INVALID_FRAMES = 10;

/** Deepest nesting accepted in a frame: nes and shot re-serialise payloads recursively. */
const MAX_DEPTH = 32;

/** Close code for a socket closed for its frames (1008: policy violation). */
const POLICY_VIOLATION = 1008;

const id = Joi.alternatives(
  Joi.number().integer().min(0).max(Number.MAX_SAFE_INTEGER),
  Joi.string().max(64),
).required();

// A subscription path as nes's router takes it: absolute, printable ASCII, no whitespace.
const subPath = Joi.string()
  .max(256)
  .pattern(/^\/[\x21-\x7e]*$/);

// Header names are HTTP tokens; values strings. nes injects them into the auth route or
// the requested route, where anything else throws inside shot.
const headers = Joi.object()
  .pattern(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, Joi.string().max(8192))
  .max(32);

const auth = Joi.object({ headers }).required();

const schemas: Record<string, Joi.ObjectSchema> = {
  // nes compares the version itself (and says which it expects).
  hello: Joi.object({
    id,
    version: Joi.string().max(16),
    auth: auth.optional(),
    subs: Joi.array().items(subPath.required()).max(10),
  }),
  reauth: Joi.object({ id, auth }),
  // Paths only: nes also accepts route ids, which no client of ours uses. A leading `//`
  // would be read by shot as a host name.
  request: Joi.object({
    id,
    method: Joi.string()
      .pattern(/^[A-Za-z]{1,16}$/)
      .required(),
    path: Joi.string()
      .max(2048)
      .pattern(/^\/(?!\/)[\x21-\x7e]*$/)
      .required(),
    headers,
    payload: Joi.any(),
  }),
  sub: Joi.object({ id, path: subPath.required() }),
  unsub: Joi.object({ id, path: subPath.required() }),
  // The message itself is validated by the plugin's onMessage.
  message: Joi.object({ id, message: Joi.any().required() }),
  ping: Joi.object({ id }),
};

export type FrameVerdict =
  | { ok: true; type: string; id: number | string }
  | { ok: false; message: string; type?: string; id?: number | string };

/** Checks one raw frame against the nes protocol (no side effects). */
export function checkFrame(data: RawData, isBinary: boolean): FrameVerdict {
  if (isBinary) return { ok: false, message: 'Binary frames are not accepted' };
  let frame: unknown;
  try {
    frame = JSON.parse(String(data));
  } catch {
    return { ok: false, message: 'Cannot parse message' };
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return { ok: false, message: 'A frame is a JSON object' };
  }
  const { type, id: frameId, ...rest } = frame as Record<string, unknown>;
  const schema = typeof type === 'string' ? schemas[type] : undefined;
  if (!schema) return { ok: false, message: 'Unknown message type' };
  const echo = {
    type: type as string,
    ...(id.validate(frameId).error ? {} : { id: frameId as number | string }),
  };
  if (deeperThan(rest, MAX_DEPTH))
    return { ok: false, ...echo, message: 'Frame nested too deeply' };
  const { error } = schema.validate({ id: frameId, ...rest });
  if (error) return { ok: false, ...echo, message: error.message.slice(0, 200) };
  return { ok: true, type: type as string, id: frameId as number | string };
}

/** Whether a parsed JSON value nests deeper than `max` (iterative: no recursion to exhaust). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= max) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The error frame nes itself sends (socket.js `_error`): Boom's output without payload.statusCode. */
function errorFrame(verdict: Extract<FrameVerdict, { ok: false }>): string {
  const { statusCode, payload } = Boom.badRequest(verdict.message).output;
  return JSON.stringify({
    type: verdict.type,
    id: verdict.id,
    statusCode,
    payload: { error: payload.error, message: payload.message },
  });
}

interface GuardOptions {
  /** Frames valid as nes frames that this server still refuses, with the reason. */
  refuse?: Partial<Record<string, string>>;
  onInvalid?: (verdict: Extract<FrameVerdict, { ok: false }>) => void;
  /** A valid frame nes still failed on (a bug): the socket is closed, the node lives on. */
  onFailure?: (err: unknown) => void;
}

/** Close code for a socket closed after a server-side failure on its frame. */
const INTERNAL_ERROR = 1011;

/** Sockets whose frames are no longer read (being closed by the server). */
const sealed = new WeakSet<WebSocket>();

/** Stops passing this socket's frames to nes, e.g. while an error reply goes out before closing. */
export function sealFrames(ws: WebSocket): void {
  sealed.add(ws);
}

/**
 * Puts the check between each new socket and nes: nes registers its message listener when
 * the connection arrives (listener.js `_add`), so this listener, added after nes's, takes
 * it over and calls it only with valid frames.
 */
export function guardFrames(wss: WebSocketServer, options: GuardOptions = {}): void {
  wss.on('connection', (ws: WebSocket) => {
    const nesListeners = ws.listeners('message') as Array<
      (data: RawData, isBinary: boolean) => unknown
    >;
    if (nesListeners.length === 0) return; // refused by nes (stopping, too many connections)
    ws.removeAllListeners('message');
    let invalid = 0;
    // Last line of defence: nes's handler returns the promise of its processing, and what it
    // rethrows would otherwise be an unhandled rejection, and an exception here an uncaught
    // one; either stops the process.
    const fail = (err: unknown) => {
      sealed.add(ws);
      try {
        options.onFailure?.(err);
        ws.close(INTERNAL_ERROR, 'Internal error');
      } catch {
        ws.terminate();
      }
    };
    ws.on('message', (data: RawData, isBinary: boolean) => {
      try {
        if (ws.readyState !== ws.OPEN || sealed.has(ws)) return;
        let verdict = checkFrame(data, isBinary);
        const refusal = verdict.ok ? options.refuse?.[verdict.type] : undefined;
        if (verdict.ok && refusal) verdict = { ...verdict, ok: false, message: refusal };
        if (verdict.ok) {
          for (const listener of nesListeners) {
            const processing = listener(data, isBinary);
            if (processing instanceof Promise) processing.catch(fail);
          }
          return;
        }
        options.onInvalid?.(verdict);
        ws.send(errorFrame(verdict), () => undefined);
        if (++invalid >= MAX_INVALID_FRAMES) {
          sealed.add(ws);
          ws.close(POLICY_VIOLATION, 'Too many invalid frames');
        }
      } catch (err) {
        fail(err);
      }
    });
  });
}
