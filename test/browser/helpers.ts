import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Browser tests drive Debian's Chromium (never a downloaded one) through playwright-core,
 * against a real server started with startTestApp() and the built web/dist.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with ` +
        '`apt-get install chromium` (or set CHROMIUM_PATH); the tests never download a browser.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A French-speaking phone-sized or desktop context. */
export async function newContext(
  browser: Browser,
  options: { locale?: string; width?: number; height?: number } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: options.locale ?? 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: options.width ?? 390, height: options.height ?? 800 },
  });
  // Fail a step with its locator rather than the whole test with a bare timeout.
  context.setDefaultTimeout(8000);
  return context;
}

/**
 * Collects page errors, console errors (a broken bundle, a CSP refusal…) and server
 * errors (5xx). HTTP 4xx answers are the app's business (401 on expiry…), not errors.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${m.text()}`);
    }
  });
  page.on('response', (res) => {
    if (res.status() >= 500) errors.push(`HTTP ${res.status()} ${res.url()}`);
  });
  return errors;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(root, 'web/dist');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The tests run against web/dist (`npm test` builds it first). When it is missing or older
 * than web/src — a developer running one test file — it is rebuilt here, once, under a
 * lock shared by the parallel test files.
 */
export async function ensureWebBuilt(): Promise<void> {
  const bundle = join(dist, 'relais.js');
  const fresh = () =>
    existsSync(bundle) &&
    existsSync(join(dist, 'index.html')) &&
    statSync(bundle).mtimeMs >=
      Math.max(newestMtime(join(root, 'web/src')), statSync(join(root, 'web/index.html')).mtimeMs);
  if (fresh()) return;
  const lock = join(root, 'web/.build-lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`web build lock ${lock} held for a minute`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (fresh()) return;
    const { build } = await import('vite');
    await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'error' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
