import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where e-mails and SMS go when no SMTP server or Twilio account is configured (a laptop,
 * the demo): one JSON file per delivery, listed on /admin/outbox so that a newcomer can
 * click the invitation link. Files are written atomically (temp file, then rename).
 */
export interface OutboxEmail {
  kind: 'email';
  id: string;
  createdAt: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface OutboxSms {
  kind: 'sms';
  id: string;
  createdAt: string;
  from: string;
  to: string;
  body: string;
}

export type OutboxEntry = OutboxEmail | OutboxSms;

type NewEntry = Omit<OutboxEmail, 'id' | 'createdAt'> | Omit<OutboxSms, 'id' | 'createdAt'>;

export async function writeOutbox(dir: string, entry: NewEntry): Promise<OutboxEntry> {
  await mkdir(dir, { recursive: true });
  const createdAt = new Date().toISOString();
  const id = `${createdAt.replace(/[:.]/g, '-')}-${entry.kind}-${randomBytes(4).toString('hex')}`;
  const full = { ...entry, id, createdAt } as OutboxEntry;
  const tmp = join(dir, `.${id}.tmp`);
  await writeFile(tmp, JSON.stringify(full, null, 2));
  await rename(tmp, join(dir, `${id}.json`));
  return full;
}

/** The newest entries first. */
export async function listOutbox(dir: string, limit = 100): Promise<OutboxEntry[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  files.sort().reverse();
  const entries: OutboxEntry[] = [];
  for (const file of files.slice(0, limit)) {
    try {
      entries.push(JSON.parse(await readFile(join(dir, file), 'utf8')) as OutboxEntry);
    } catch {
      // A file being removed or edited by hand: skip it.
    }
  }
  return entries;
}

export async function readOutbox(dir: string, id: string): Promise<OutboxEntry | null> {
  if (!/^[A-Za-z0-9-]+$/.test(id)) return null;
  try {
    return JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as OutboxEntry;
  } catch {
    return null;
  }
}
