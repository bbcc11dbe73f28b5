/**
 * An attachments worker process for the SIGKILL test (faults.test.ts): the real worker over
 * the test's database, Redis prefix, files folder and clamd (all from the environment),
 * with a short lock so that a killed process's job is soon seen as stalled.
 * KILL_POINT=after-examine makes it print `EXAMINED <id>` once a file is examined (type
 * checked, scanned, re-encoded) and hang there, before anything is recorded: the test
 * kills it at that point, as a crash in the middle of a job would.
 */
import { loadConfig } from '../../domain/config';
import { createContext } from '../../domain/context';
import { startAttachmentWorker } from '../../workers/attachments';

const ctx = createContext(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
const hang = () => new Promise<void>(() => {});
const worker = startAttachmentWorker(ctx, {
  retryDelayMs: 200,
  lockDuration: 1500,
  // The stalled check runs once per interval across all workers (a shared key): short here too.
  stalledInterval: 500,
  deps:
    process.env.KILL_POINT === 'after-examine'
      ? {
          afterExamine: async (id) => {
            process.stdout.write(`EXAMINED ${id}\n`);
            await hang();
          },
        }
      : {},
});
await worker.waitUntilReady();
process.stdout.write('READY\n');
