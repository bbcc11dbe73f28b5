import type { LookupAddress } from 'node:dns';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhooksConfig } from '../../domain/webhooks/config';
import { checkAddress, checkWebhookUrl, guardedAgents } from '../../domain/webhooks/ssrf';
import { createBot } from '../bots/fixtures';
import { attach, insertStructure, type Person, person } from '../conversations/fixtures';
import { call, startTestApp, type TestApp } from '../helpers/server';
import { type Receiver, startReceiver } from './fixtures';

/**
 * SSRF (docs/security.md "Webhooks"): webhook URLs reaching inside the network are refused
 * at registration and, whatever DNS says later, at connection time; an operator allows
 * chosen hosts (WEBHOOK_ALLOWED_HOSTS) or every private address (WEBHOOK_ALLOW_PRIVATE).
 */
const strict = webhooksConfig({ WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_TIMEOUT_SECONDS: 5 }).webhooks;
const loopbackAllowed = webhooksConfig({
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,::1,localhost',
  WEBHOOK_TIMEOUT_SECONDS: 5,
}).webhooks;

describe('addresses', () => {
  it.each([
    '127.0.0.1',
    '127.5.6.7',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
  ])('%s is refused', (address) => {
    expect(checkAddress(strict, 'h', address)?.message).toMatch(/Refused to connect/);
  });

  it.each(['8.8.8.8', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is allowed', (address) => {
    expect(checkAddress(strict, 'h', address)).toBeNull();
  });

  it('lets an operator allow hosts, addresses and ranges', () => {
    const config = webhooksConfig({
      WEBHOOK_ALLOWED_HOSTS: 'lab-gw.chu.local,10.20.0.0/16,::1',
      WEBHOOK_TIMEOUT_SECONDS: 5,
    }).webhooks;
    expect(checkAddress(config, 'lab-gw.chu.local', '10.9.9.9')).toBeNull();
    expect(checkAddress(config, 'x', '10.20.3.4')).toBeNull();
    expect(checkAddress(config, 'x', '10.21.3.4')).not.toBeNull();
    expect(checkAddress(config, 'x', '::1')).toBeNull();
    const open = webhooksConfig({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_SECONDS: 5 });
    expect(checkAddress(open.webhooks, 'x', '192.168.0.1')).toBeNull();
    expect(webhooksConfig({ WEBHOOK_ALLOWED_HOSTS: 'not a host!' }).problems).toHaveLength(1);
  });

  it('needs https in production, no credentials in the URL', async () => {
    expect(await checkWebhookUrl(strict, true, 'http://93.184.216.34/h')).toEqual({
      problem: 'A webhook URL must use https',
    });
    expect(await checkWebhookUrl(strict, false, 'http://93.184.216.34/h')).toEqual({
      url: 'http://93.184.216.34/h',
    });
    expect(await checkWebhookUrl(strict, false, 'https://u:p@93.184.216.34/')).toHaveProperty(
      'problem',
    );
    expect(await checkWebhookUrl(strict, false, 'ftp://93.184.216.34/')).toHaveProperty('problem');
  });
});

describe('at connection time', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  /** A POST through guarded agents; resolves to the status or rejects with the refusal. */
  function post(url: string, agents: ReturnType<typeof guardedAgents>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', agent: agents.http }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
  }

  it('refuses a name that resolves to loopback now (DNS rebinding), allows it when configured', async () => {
    const port = new URL(receiver.url).port;
    // A name that was public at registration and now answers 127.0.0.1.
    const rebinding = ((_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }])) as never;
    await expect(
      post(`http://rebind.example:${port}/`, guardedAgents(strict, rebinding)),
    ).rejects.toThrow(/Refused to connect to rebind.example: 127.0.0.1/);
    await expect(post(`http://localhost:${port}/`, guardedAgents(strict))).rejects.toThrow(
      /Refused to connect to localhost/,
    );
    await expect(post(`http://127.0.0.1:${port}/`, guardedAgents(strict))).rejects.toThrow(
      /Refused to connect to 127.0.0.1/,
    );
    expect(await post(`http://127.0.0.1:${port}/`, guardedAgents(loopbackAllowed))).toBe(204);
    const allowed = webhooksConfig({
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_TIMEOUT_SECONDS: 5,
    });
    expect(
      await post(`http://rebind.example:${port}/`, guardedAgents(allowed.webhooks, rebinding)),
    ).toBe(204);
  });
});

describe('registration', () => {
  let app: TestApp;
  let allowing: TestApp;
  let manager: Person;
  let botId: number;
  beforeAll(async () => {
    app = await startTestApp();
    allowing = await startTestApp({
      env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,::1,localhost' },
      database: app.database,
    });
    manager = await person(app.ctx, 'Marc', 'Chef');
    const unit = await insertStructure(app.ctx, 'Unité SSRF');
    await attach(app.ctx, unit, manager.account.id, 'manager');
    botId = await createBot(app.server, manager.token, { name: 'Bot SSRF', structureId: unit });
  }, 60_000);
  afterAll(async () => {
    await allowing?.stop();
    await app?.stop();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.7/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:8080/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://localhost:8080/hook',
  ])('refuses %s unless allowed', async (url) => {
    const refused = await call(app.server, 'PUT', `/api/bots/${botId}/webhook`, {
      token: manager.token,
      payload: { url },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body.field).toBe('url');
    expect(refused.body.message).toMatch(/Refused to connect/);
  });

  it('accepts loopback when the operator allows it', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://[::1]:8080/hook',
      'http://localhost:1/h',
    ]) {
      const res = await call(allowing.server, 'PUT', `/api/bots/${botId}/webhook`, {
        token: manager.token,
        payload: { url },
      });
      expect(res.statusCode, res.payload).toBeLessThan(300);
    }
  });
});
