import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { NotStoredError, type Storage, StorageUnavailableError } from './types';

const KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Keys are built from ids; anything else (`..`, absolute paths) is a bug, refused loudly. */
export function checkKey(key: string): string {
  if (!KEY.test(key) || key.split('/').some((part) => part === '.' || part === '..')) {
    throw new Error(`Invalid storage key: ${key}`);
  }
  return key;
}

/**
 * The local filesystem: enough for one node (and `npm start`). A write goes to a temporary
 * name and is renamed when complete, so a reader never sees half a file and a write cut
 * short leaves nothing under its key.
 */
export function createFsStorage(dir: string): Storage {
  const root = resolve(dir);
  const pathOf = (key: string) => join(root, checkKey(key));
  const unavailable = (err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    return code &&
      ['ENOSPC', 'EACCES', 'EROFS', 'EIO', 'EDQUOT', 'EPERM', 'ENOTDIR', 'EEXIST'].includes(code)
      ? new StorageUnavailableError(`File storage failed (${code})`, { cause: err })
      : err;
  };

  return {
    kind: 'fs',
    async put(key, body) {
      const target = pathOf(key);
      const temp = `${target}.part-${randomUUID()}`;
      let size = 0;
      const count = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          size += chunk.length;
          yield chunk;
        }
      };
      try {
        await mkdir(dirname(target), { recursive: true });
        await pipeline(body, count, createWriteStream(temp, { flags: 'wx' }));
        await rename(temp, target);
        return { size };
      } catch (err) {
        await rm(temp, { force: true }).catch(() => {});
        throw unavailable(err);
      }
    },
    async get(key, range) {
      const path = pathOf(key);
      try {
        await stat(path);
      } catch {
        throw new NotStoredError(key);
      }
      return createReadStream(path, range ? { start: range.start, end: range.end } : {});
    },
    async stat(key) {
      try {
        const s = await stat(pathOf(key));
        return { size: s.size };
      } catch {
        return null;
      }
    },
    async removePrefix(prefix) {
      // Prefixes used here are whole folders ("quarantine/<id>") or single objects.
      const path = join(root, checkKey(prefix.replace(/\/$/, '')));
      await rm(path, { recursive: true, force: true });
    },
    async check() {
      try {
        // Writable, not only present: a read-only or full volume fails here.
        await mkdir(root, { recursive: true });
        const probe = join(root, `.probe-${randomUUID()}`);
        await writeFile(probe, '');
        await rm(probe, { force: true });
      } catch (err) {
        throw new StorageUnavailableError(`File storage folder ${root} is not usable`, {
          cause: err,
        });
      }
    },
    async close() {},
  };
}
