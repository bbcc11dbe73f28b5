import { withAbsoluteFileUrls } from '../client/urls';

/**
 * The one place the web components talk HTTP to the Relais server: JSON in and out, the
 * bearer token in the Authorization header (never cookies, so that the components work
 * embedded in an intranet page on another origin), and every failure turned into an
 * ApiError the UI can explain.
 */
export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the server could not be reached at all. */
    readonly status: number,
    message: string,
    /** The invalid input field named by a 400. */
    readonly field?: string,
    /** Seconds to wait, on a 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

export interface RequestOptions {
  token?: string | null;
  body?: unknown;
  signal?: AbortSignal;
}

function retryAfter(res: Response, message: string): number | undefined {
  const header = Number(res.headers.get('retry-after'));
  if (Number.isFinite(header) && header > 0) return header;
  // Cross-origin pages may not be allowed to read Retry-After; the message says it too.
  const minutes = /in (\d+) minute/.exec(message);
  return minutes ? Number(minutes[1]) * 60 : undefined;
}

/** `server` is an origin (or base URL) such as https://relais.example. */
export async function apiRequest<T>(
  server: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(path, server), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
      mode: 'cors',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'Server unreachable');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const body = (json ?? {}) as { message?: string; field?: string };
    const message = body.message ?? res.statusText ?? `HTTP ${res.status}`;
    throw new ApiError(
      res.status,
      message,
      body.field,
      res.status === 429 ? retryAfter(res, message) : undefined,
    );
  }
  // A file's URLs are paths on the server: absolute for an intranet page (client/urls.ts).
  return withAbsoluteFileUrls(json, server) as T;
}
