import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Professional } from '../../domain/models';
import { call, startTestApp, type TestApp } from '../helpers/server';

// The signing recipes an intranet team copies from the README, run as written.
const SECRET = 'readme-recipe-secret-0123456789abcdefghij';
const readme = readFileSync('README.md', 'utf8');
const block = (lang: string) => {
  const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`no ${lang} block in the README`);
  return match[1]!;
};

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { EMBED_INTEGRATIONS: `chu-nord:${SECRET}` } });
  await Professional.query(app.ctx.db).insert({
    national_id: '810100271385',
    id_type: '8',
    identifier: '10100271385',
    last_name: 'LEGER',
    first_name: 'ROMAIN',
  });
});
afterAll(() => app.stop());

async function exchange(token: string) {
  return call(app.server, 'POST', '/api/auth/embed', { payload: { token: token.trim() } });
}

describe('README embed recipes', () => {
  it('the Node recipe signs a token Relais accepts', async () => {
    const script = `${block('js')}\nconsole.log(relaisEmbedToken('chu-nord', '${SECRET}', '10100271385'));`;
    const token = execFileSync('node', ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const res = await exchange(token);
    expect(res.statusCode).toBe(201);
    expect(res.body.account.lastName).toBe('LEGER');
  });

  it('the Python recipe signs a token Relais accepts', async () => {
    const script = `${block('python')}\nprint(relais_embed_token("chu-nord", "${SECRET}", "10100271385"))`;
    const token = execFileSync('python3', ['-c', script], { encoding: 'utf8' });
    const res = await exchange(token);
    expect(res.statusCode).toBe(201);
    expect(res.body.account.lastName).toBe('LEGER');
  });
});
