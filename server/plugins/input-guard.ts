import Boom from '@hapi/boom';
import type { Plugin, Request } from '@hapi/hapi';
import { UNSAFE_TEXT, UNSAFE_TEXT_MESSAGE } from '../validation';
import { badField } from './errors';

/**
 * One guard for every route, whatever its schema says (issue 10, finding 4): a request
 * whose path, parameters, query or payload holds a string PostgreSQL cannot store (NUL,
 * a lone UTF-16 surrogate), a `__proto__` key, a non-finite number or absurd nesting is
 * answered 400 naming the field before any handler, hook or failAction sees it. Route
 * schemas (server/validation.ts) say the same for their own fields; this guard is what
 * keeps a route that forgot, or has no schema at all, from turning such input into a 500.
 * nes `request` frames go through server.inject, hence through this guard too.
 */

/** Longest path we route (no route or file of ours comes near it). */
export const MAX_PATH_LENGTH = 2048;
/**
 * Longest URL, query included: `GET /api/conversations/existing` takes up to 300 repeated
 * ids, so the query is allowed more room than the path.
 */
export const MAX_URL_LENGTH = 8192;
/** Deepest nesting of a query or payload value; our deepest schema needs 4. */
export const MAX_DEPTH = 32;

type Problem = { field: string; message: string };

const label = (path: string[]) => path.join('.') || 'value';

/** The first problem in a value, walking objects and arrays without recursion. */
export function findUnsafe(value: unknown, root: string[] = []): Problem | null {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: root }];
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSAFE_TEXT.test(v)) {
        return { field: label(path), message: `"${label(path)}" ${UNSAFE_TEXT_MESSAGE}` };
      }
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) {
        return { field: label(path), message: `"${label(path)}" must be a finite number` };
      }
    } else if (v && typeof v === 'object' && isPlain(v)) {
      if (path.length - root.length >= MAX_DEPTH) {
        return { field: label(path), message: `"${label(path)}" is nested too deeply` };
      }
      for (const [key, child] of Object.entries(v)) {
        const at = [...path, key];
        if (key === '__proto__' || UNSAFE_TEXT.test(key)) {
          const shown = key === '__proto__' ? key : JSON.stringify(key);
          return { field: label(at), message: `The key ${shown} is not allowed` };
        }
        stack.push({ value: child, path: at });
      }
    }
  }
  return null;
}

/** Plain data only: buffers and streams (routes that take raw bodies) are left alone. */
function isPlain(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function reject(problem: Problem | null): void {
  if (problem) throw badField(problem.message, problem.field);
}

/** The path, decoded: refuses bytes that are not UTF-8, NUL and lone surrogates. */
function checkPath(request: Request): void {
  let decoded: string;
  try {
    decoded = decodeURIComponent(request.path);
  } catch {
    throw badField('The path is not valid percent-encoded UTF-8', 'path');
  }
  if (UNSAFE_TEXT.test(decoded)) throw badField(`"path" ${UNSAFE_TEXT_MESSAGE}`, 'path');
}

export const inputGuardPlugin: Plugin<void> = {
  name: 'relais-input-guard',
  register(server) {
    // Before routing: nothing (router, static files, 404 handler) sees an absurd URL.
    server.ext('onRequest', (request, h) => {
      const url = request.raw.req.url ?? '';
      if (url.length > MAX_URL_LENGTH || request.path.length > MAX_PATH_LENGTH) {
        throw Boom.uriTooLong(
          `The URL is too long (at most ${MAX_PATH_LENGTH} characters of path and ${MAX_URL_LENGTH} in all)`,
        );
      }
      checkPath(request);
      reject(findUnsafe(request.query));
      return h.continue;
    });
    // After routing, before authentication: the decoded path parameters.
    server.ext('onPreAuth', (request, h) => {
      reject(findUnsafe(request.params));
      return h.continue;
    });
    // The payload is parsed after authentication; this runs before any validation or failAction.
    server.ext('onPostAuth', (request, h) => {
      reject(findUnsafe(request.payload));
      return h.continue;
    });
  },
};
