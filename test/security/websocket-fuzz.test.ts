import Nes from '@hapi/nes/lib/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publishEvent } from '../../domain/realtime';
import { createUser, startTestApp, type TestApp, type TestUser } from '../helpers/server';

/**
 * The nes protocol, fuzzed from a raw websocket: every frame type with each field missing,
 * null and of every wrong type, plus frames that are not nes at all, sent on a fresh
 * socket, after a refused (anonymous) hello and after a signed-in hello. After each batch
 * the node must still serve HTTP, the fuzzing socket must have been answered or closed for
 * every frame, nothing may have escaped as an uncaught exception or unhandled rejection,
 * and a well-behaved client on another socket must still receive its live events.
 */

let app: TestApp;
let fuzzer: TestUser;
let watcher: TestUser;
let watcherClient: InstanceType<typeof Nes.Client>;
const received: unknown[] = [];
const escaped: unknown[] = [];
const onEscape = (err: unknown) => escaped.push(err);

beforeAll(async () => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  app = await startTestApp();
  fuzzer = await createUser(app.ctx);
  watcher = await createUser(app.ctx);
  watcherClient = new Nes.Client(wsUrl());
  await watcherClient.connect({ auth: bearer(watcher.token), reconnect: false });
  await watcherClient.subscribe(`/users/${watcher.account.id}`, (event) => {
    received.push(event);
  });
});

afterAll(async () => {
  await watcherClient?.disconnect();
  await app?.stop();
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

function wsUrl(): `ws://${string}` {
  return `ws://${app.url.slice('http://'.length)}`;
}

function bearer(token: string) {
  return { headers: { authorization: `Bearer ${token}` } };
}

type Outcome = { kind: 'answer'; data: string } | { kind: 'closed' } | { kind: 'silence' };

/** A raw websocket that queues what the server says, so each frame's answer can be awaited. */
class Probe {
  private readonly inbox: string[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(String(data));
      this.wake?.();
    });
    ws.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    ws.on('error', () => undefined);
  }

  static async open(): Promise<Probe> {
    const ws = new WebSocket(wsUrl());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Probe(ws);
  }

  send(data: string | Buffer): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(data, () => undefined);
  }

  /** The next thing the server says on this socket, its closing, or silence. */
  async next(timeoutMs = 3000): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const data = this.inbox.shift();
      if (data !== undefined) return { kind: 'answer', data };
      if (this.closed) return { kind: 'closed' };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'silence' };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

type Phase = 'fresh' | 'after refused hello' | 'signed in';

/** A socket in the given state of the protocol. */
async function openIn(phase: Phase): Promise<Probe> {
  const probe = await Probe.open();
  if (phase === 'fresh') return probe;
  const auth = phase === 'signed in' ? bearer(fuzzer.token) : undefined;
  probe.send(JSON.stringify({ type: 'hello', id: 1, version: '2', auth }));
  const answer = await probe.next();
  expect(answer.kind).toBe('answer');
  const hello = JSON.parse((answer as { data: string }).data);
  if (phase === 'signed in') expect(hello).toMatchObject({ type: 'hello', id: 1 });
  else expect(hello).toMatchObject({ type: 'hello', statusCode: 401 });
  return probe;
}

const deepText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deep = (depth: number) => JSON.parse(deepText(depth));
const long = 'x'.repeat(20_000);
/** Stands for an array nested 30,000 deep, which JSON.stringify itself cannot write. */
const VERY_DEEP = '<very deep array>';
const encode = (frame: unknown) =>
  JSON.stringify(frame).replace(JSON.stringify(VERY_DEEP), deepText(30_000));

/** Each wrong value a field can take ("missing" is the field left out). */
const wrongValues: Array<[string, unknown]> = [
  ['null', null],
  ['a string', 'x'],
  ['a number', 123],
  ['a boolean', true],
  ['an object', {}],
  ['an array', []],
  ['an array of null', [null]],
  ['a nested deep object', { a: { b: { c: { d: { e: [{ f: deep(50) }] } } } } }],
  ['a very deep array', VERY_DEEP],
  ['a very long string', long],
];

/** A well-formed frame of each type, as the nes client writes it. */
function baseFrames(): Record<string, Record<string, unknown>> {
  return {
    hello: {
      type: 'hello',
      id: 2,
      version: '2',
      auth: bearer(fuzzer.token),
      subs: [`/users/${fuzzer.account.id}`],
    },
    reauth: { type: 'reauth', id: 3, auth: bearer(fuzzer.token) },
    request: { type: 'request', id: 4, method: 'GET', path: '/api/me', headers: {}, payload: {} },
    sub: { type: 'sub', id: 5, path: `/users/${fuzzer.account.id}` },
    unsub: { type: 'unsub', id: 6, path: `/users/${fuzzer.account.id}` },
    message: { type: 'message', id: 7, message: { type: 'typing', conversationId: 1 } },
    ping: { type: 'ping', id: 8 },
  };
}

/** Nested fields worth their own wrong values (the ones nes dereferences). */
const nestedCases: Record<string, Array<[string, (frame: Record<string, unknown>) => void]>> = {
  hello: [
    ['auth.headers a string', (f) => Object.assign(f, { auth: { headers: 'x' } })],
    ['auth.headers null', (f) => Object.assign(f, { auth: { headers: null } })],
    ['auth.headers an array', (f) => Object.assign(f, { auth: { headers: ['x'] } })],
    [
      'authorization a number',
      (f) => Object.assign(f, { auth: { headers: { authorization: 123 } } }),
    ],
    [
      'authorization an object',
      (f) => Object.assign(f, { auth: { headers: { authorization: { a: 1 } } } }),
    ],
    ['subs [null]', (f) => Object.assign(f, { subs: [null] })],
    ['subs [123]', (f) => Object.assign(f, { subs: [123] })],
    ['subs [{}]', (f) => Object.assign(f, { subs: [{}] })],
    ['subs [long]', (f) => Object.assign(f, { subs: [`/${long}`] })],
    ['subs not absolute', (f) => Object.assign(f, { subs: ['users/1'] })],
  ],
  reauth: [
    ['auth.headers a string', (f) => Object.assign(f, { auth: { headers: 'x' } })],
    ['auth.headers null', (f) => Object.assign(f, { auth: { headers: null } })],
  ],
  request: [
    ['headers with authorization', (f) => Object.assign(f, { headers: { authorization: 'x' } })],
    ['a header that is a number', (f) => Object.assign(f, { headers: { 'x-a': 1 } })],
    ['a deep payload', (f) => Object.assign(f, { method: 'POST', payload: VERY_DEEP })],
    ['a path without slash', (f) => Object.assign(f, { path: 'api/me' })],
    ['a protocol-relative path', (f) => Object.assign(f, { path: '//evil.example/x' })],
    ['a path with a bad escape', (f) => Object.assign(f, { path: '/api/%E0%A4%A' })],
  ],
  sub: [
    ['a path with a query', (f) => Object.assign(f, { path: '/users/1?x=1' })],
    ['a path with a bad escape', (f) => Object.assign(f, { path: '/users/%E0%A4%A' })],
    ["someone else's path", (f) => Object.assign(f, { path: '/users/999999' })],
  ],
  message: [['an unknown message', (f) => Object.assign(f, { message: { type: 'x' } })]],
};

/** Every variant of one frame type: each field missing, null, and of each wrong type. */
function variants(type: string): Array<[string, string]> {
  const base = baseFrames()[type]!;
  const out: Array<[string, string]> = [];
  for (const field of Object.keys(base)) {
    const missing = { ...base };
    delete missing[field];
    out.push([`${field} missing`, encode(missing)]);
    for (const [label, value] of wrongValues) {
      // A ping with any truthy id is a well-formed ping, which nes answers with silence.
      if (type === 'ping' && field === 'id' && (value === 'x' || value === long || value === 123)) {
        continue;
      }
      out.push([`${field} ${label}`, encode({ ...base, [field]: value })]);
    }
  }
  for (const [label, mutate] of nestedCases[type] ?? []) {
    const frame = structuredClone(base);
    mutate(frame);
    out.push([label, encode(frame)]);
  }
  return out;
}

/** Frames that are not nes frames at all. */
const rawFrames: Array<[string, string | Buffer]> = [
  ['not JSON', 'not json {'],
  ['null', 'null'],
  ['a number', '123'],
  ['a string', '"hello"'],
  ['true', 'true'],
  ['an empty array', '[]'],
  ['an array of frames', JSON.stringify([{ type: 'ping', id: 1 }])],
  ['an empty object', '{}'],
  ['an unknown type', JSON.stringify({ type: 'nope', id: 1 })],
  ['a deep array', deepText(30_000)],
  ['binary', Buffer.from([0, 1, 2, 255])],
  ['a huge frame', JSON.stringify({ type: 'message', id: 1, message: 'x'.repeat(200_000) })],
];

/**
 * Sends each frame on a socket in `phase` (a new one whenever the server closed the last)
 * and requires an answer or the socket's closing for every frame: never silence.
 */
async function fuzz(phase: Phase, frames: Array<[string, string | Buffer]>): Promise<string[]> {
  const silent: string[] = [];
  let probe = await openIn(phase);
  for (const [label, frame] of frames) {
    if (probe.closed) probe = await openIn(phase);
    probe.send(frame);
    const outcome = await probe.next();
    if (outcome.kind === 'silence') silent.push(label);
    if (outcome.kind === 'answer') {
      // An answer is a nes frame (an error carries a status code and a message, no stack).
      const answer = JSON.parse(outcome.data);
      expect(answer).toBeTypeOf('object');
      expect(outcome.data).not.toMatch(/\bat .+\(.+:\d+:\d+\)/);
    }
  }
  probe.close();
  return silent;
}

let marker = 0;

/** The node is alive, nothing escaped, and the well-behaved client still gets its events. */
async function expectNodeHealthy(): Promise<void> {
  const health = await fetch(`${app.url}/health`);
  expect(health.status).toBe(200);
  expect(escaped.map(String)).toEqual([]);
  const conversationId = ++marker;
  await publishEvent(app.ctx, [watcher.account.id], {
    type: 'typing',
    conversationId,
    reader: { accountId: fuzzer.account.id, firstName: 'F', lastName: 'Z' },
  });
  const deadline = Date.now() + 3000;
  while (!received.some((e) => (e as { conversationId?: number }).conversationId === marker)) {
    expect(Date.now(), 'live event not received by the well-behaved client').toBeLessThan(deadline);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const phases: Phase[] = ['fresh', 'after refused hello', 'signed in'];
const types = ['hello', 'reauth', 'request', 'sub', 'unsub', 'message', 'ping'];

describe('websocket protocol fuzz (nes frames)', () => {
  for (const phase of phases) {
    it(`survives frames that are not nes frames (${phase})`, async () => {
      const silent = await fuzz(phase, rawFrames);
      expect(silent).toEqual([]);
      await expectNodeHealthy();
    });

    for (const type of types) {
      it(`survives every malformed "${type}" frame (${phase})`, async () => {
        const silent = await fuzz(phase, variants(type));
        expect(silent).toEqual([]);
        await expectNodeHealthy();
      });
    }
  }

  it('survives a flood of invalid frames on one socket, and closes that socket', async () => {
    const probe = await Probe.open();
    for (let i = 0; i < 5000 && !probe.closed; i++) probe.send('null');
    const deadline = Date.now() + 5000;
    while (!probe.closed) {
      expect(Date.now(), 'flooding socket still open').toBeLessThan(deadline);
      await probe.next(100);
    }
    await expectNodeHealthy();
  });
});
