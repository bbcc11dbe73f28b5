/**
 * A worker process for the SIGKILL test: the real invitation workers over the test's
 * database and Redis prefix, with a short lock so that a killed process's job is soon
 * seen as stalled. KILL_POINT=after-sent makes it stop (hang) right after recording the
 * send, as a process killed between the database commit and BullMQ's completion would.
 */
import { loadConfig } from '../../domain/config';
import { createContext } from '../../domain/context';
import { startInvitationWorkers } from '../../workers/invitations';

const ctx = createContext(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }));
const hang = () => new Promise<void>(() => {});
const workers = startInvitationWorkers(ctx, {
  lockDuration: 1500,
  // The stalled check runs once per interval across all workers (a shared key): keep it short here too.
  stalledInterval: 500,
  hooks:
    process.env.KILL_POINT === 'after-sent'
      ? {
          afterSent: async () => {
            process.stdout.write('SENT\n');
            await hang();
          },
        }
      : {},
});
await Promise.all(workers.map((w) => w.waitUntilReady()));
process.stdout.write('READY\n');
