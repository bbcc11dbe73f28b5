/**
 * The benchmark's SMTP server, in a process of its own so that it does not share the
 * worker's event loop: accepts everything, counts messages by Message-ID, and answers
 * the parent's "count" message over IPC with { accepted, distinct, invitations }.
 */
import { SMTPServer } from 'smtp-server';

const received = new Map<string, number>();
let accepted = 0;
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  maxClients: 200,
  onData(stream, _session, callback) {
    let head = '';
    stream.on('data', (chunk: Buffer) => {
      if (head.length < 4096) head += chunk.toString('latin1');
    });
    stream.on('end', () => {
      const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `?${accepted}`;
      received.set(id, (received.get(id) ?? 0) + 1);
      accepted++;
      callback();
    });
  },
});
smtp.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (smtp.server.address() as { port: number }).port });
});
process.on('message', (message) => {
  if (message === 'count') {
    let invitations = 0;
    for (const id of received.keys()) if (id.startsWith('<invitation-')) invitations++;
    process.send?.({ accepted, distinct: received.size, invitations });
  } else if (message === 'stop') {
    smtp.close(() => process.exit(0));
  }
});
