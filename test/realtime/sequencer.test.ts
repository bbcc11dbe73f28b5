import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/client/rest';
import { Sequencer } from '../../web/src/client/sequencer';
import type { Message, MessagePage } from '../../web/src/client/types';

/** The client library's ordering rules alone: no server, a scripted `fetchAfter`. */
const msg = (seq: number): Message => ({ id: `m${seq}`, seq, mine: false }) as Message;

function setUp(store: number[] = []) {
  const emitted: Array<{ seq: number; live: boolean }> = [];
  const calls: number[] = [];
  const failures: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let gate: Promise<void> = Promise.resolve();
  let fail: Error | null = null;
  const sequencer = new Sequencer({
    emit: (_id, message, live) => emitted.push({ seq: message.seq, live }),
    fetchAfter: async (_id, after): Promise<MessagePage> => {
      calls.push(after);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await gate;
        if (fail) throw fail;
        const messages = store.filter((s) => s > after).map(msg);
        const last = store.at(-1) ?? 0;
        return {
          messages,
          hasMoreAfter: false,
          hasMoreBefore: after > 0,
          lastSeq: last,
          lastReadSeq: 0,
        };
      } finally {
        inFlight--;
      }
    },
    failed: (err) => failures.push(err),
  });
  return {
    sequencer,
    emitted,
    calls,
    failures,
    seqs: () => emitted.map((e) => e.seq),
    maxInFlight: () => maxInFlight,
    hold() {
      let open!: () => void;
      gate = new Promise((r) => {
        open = r;
      });
      return () => open();
    },
    failWith(err: Error | null) {
      fail = err;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Sequencer', () => {
  it('passes messages that follow on straight through, once each', () => {
    const t = setUp();
    t.sequencer.track(1, 0);
    t.sequencer.receive(1, msg(1), true);
    t.sequencer.receive(1, msg(2), true);
    t.sequencer.receive(1, msg(2), true);
    expect(t.emitted).toEqual([
      { seq: 1, live: true },
      { seq: 2, live: true },
    ]);
    expect(t.calls).toEqual([]);
  });

  it('holds a message that skips, fetches the gap from the contiguous seq, then hands it over', async () => {
    const t = setUp([1, 2, 3, 4, 5]);
    t.sequencer.track(1, 1);
    const open = t.hold();
    t.sequencer.receive(1, msg(4), true);
    t.sequencer.receive(1, msg(5), true);
    expect(t.seqs()).toEqual([]); // nothing out of order meanwhile
    open();
    await t.sequencer.fill(1);
    expect(t.emitted).toEqual([
      { seq: 2, live: false },
      { seq: 3, live: false },
      { seq: 4, live: true },
      { seq: 5, live: true },
    ]);
    expect(t.calls[0]).toBe(1);
    expect(t.maxInFlight()).toBe(1); // one fetch at a time per conversation
    expect(t.sequencer.contiguous(1)).toBe(5);
  });

  it('keeps what it holds when the fetch fails, and delivers it on the next fill', async () => {
    const t = setUp([1, 2, 3]);
    t.sequencer.track(1, 1);
    t.failWith(new TypeError('fetch failed'));
    t.sequencer.receive(1, msg(3), true);
    await settle();
    expect(t.failures).toHaveLength(1);
    expect(t.seqs()).toEqual([]);
    expect(t.sequencer.waiting()).toEqual([1]);
    t.failWith(null);
    await t.sequencer.fill(1);
    expect(t.seqs()).toEqual([2, 3]);
    expect(t.sequencer.waiting()).toEqual([]);
  });

  it('hands over what it holds, in order, when access is lost', async () => {
    const t = setUp();
    t.sequencer.track(1, 1);
    t.failWith(new ApiError(404, 'Not found'));
    t.sequencer.receive(1, msg(5), true);
    t.sequencer.receive(1, msg(4), true);
    await t.sequencer.fill(1);
    expect(t.seqs()).toEqual([4, 5]);
  });

  it("skips (without emitting) what the app loaded itself, and follows the app's track", async () => {
    const t = setUp([1, 2, 3, 4]);
    t.sequencer.track(1, 1);
    t.sequencer.remember('m2');
    t.sequencer.receive(1, msg(4), true);
    await t.sequencer.fill(1);
    expect(t.seqs()).toEqual([3, 4]);

    const u = setUp();
    u.sequencer.track(2, 1);
    const open = u.hold();
    u.sequencer.receive(2, msg(3), true);
    u.sequencer.track(2, 2); // the app loaded up to 2: 3 follows on
    expect(u.seqs()).toEqual([3]);
    open();
  });

  it('starts a conversation seen for the first time just before its message', () => {
    const t = setUp();
    t.sequencer.receive(7, msg(40), true);
    expect(t.seqs()).toEqual([40]);
    expect(t.calls).toEqual([]);
  });
});
