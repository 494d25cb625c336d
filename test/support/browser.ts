import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '@jest/globals';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import type { SignedInOperator } from './operators.js';

/** Debian's Chromium (`apt-get install chromium`); playwright-core never downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Screenshots and other things a person may want to look at after a run (gitignored). */
export const ARTIFACTS_DIR = path.join(root, 'test-artifacts');

/**
 * `describe` for tests that drive a real browser; without Chromium they are skipped, loudly, like the
 * RabbitMQ tests without a broker.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (hasChromium) return describe(name, body);
  console.warn(`\n*** ${CHROMIUM_PATH} is missing: the browser tests "${name}" are SKIPPED. Install it with apt-get install chromium. ***\n`);
  describe.skip(name, body);
}

/**
 * Headless Chromium with a fresh, empty profile (playwright makes a new user data dir for every launch). The
 * flags keep it from reaching out to Google's services, which this machine's closed network refuses.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized Korean browser context; pass `geolocation` to grant the permission and fix the position. */
export function phoneContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'ko-KR',
    timezoneId: 'Asia/Seoul',
    ...(options.geolocation ? { permissions: ['geolocation'] } : {}),
    ...options,
  });
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png` and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collects the page's console errors and uncaught exceptions, for a failing test's message. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** Near Seoul City Hall, where the test restaurants are: a phone context's position for the rider app. */
export const CITY_HALL_GEOLOCATION = { latitude: 37.567, longitude: 126.9785 };

/** Waits for `locator` to be visible; on a timeout, says what was awaited and the page's errors so far. */
export function visible(locator: Locator, what: string, errors: string[], timeout = 20_000): Promise<void> {
  return locator.waitFor({ state: 'visible', timeout }).catch((error: Error) => {
    throw new Error(`${what}: ${error.message}\npage errors: ${errors.join('\n') || 'none'}`);
  });
}

/** The rider app's parts a test looks for, by their accessible names. */
export function riderScreen(page: Page) {
  return {
    connection: () => page.getByRole('status', { name: '연결 상태' }),
    offer: () => page.getByRole('article', { name: /^배차 제안/ }),
    job: () => page.getByRole('article', { name: /^배달:/ }),
  };
}

/** Where a test stack tells the dashboard its map tiles are (`DASHBOARD_TILE_URL`); a context's route answers them. */
export const TEST_TILES = 'http://tiles.test';
export const TEST_TILES_ENV = { DASHBOARD_TILE_URL: `${TEST_TILES}/{z}/{x}/{y}.png` };
/** A 1×1 PNG: a tile. */
const TILE_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Serves the test tiles in `context`, or fails every tile request as a dead network would. */
export async function routeTiles(context: BrowserContext, tiles: 'serve' | 'fail'): Promise<void> {
  await context.route(`${TEST_TILES}/**`, (route) => (tiles === 'serve' ? route.fulfill({ status: 200, contentType: 'image/png', body: TILE_PNG }) : route.abort()));
}

/**
 * `who` signed in on the dashboard at `dispatchUrl` in a fresh desktop-sized Korean context, the map's tiles served
 * or failing; answers once the board is shown, with the page's errors collected from the start.
 */
export async function signInOnDashboard(browser: Browser, dispatchUrl: string, who: SignedInOperator, tiles: 'serve' | 'fail'): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR', timezoneId: 'Asia/Seoul', acceptDownloads: true });
  await routeTiles(context, tiles);
  const page = await context.newPage();
  const errors = pageErrors(page);
  await page.goto(`${dispatchUrl}/agency`);
  await page.getByLabel('이메일').fill(who.email);
  await page.getByLabel('비밀번호').fill(who.password);
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await visible(page.getByRole('heading', { name: '배차 현황' }), `the board for the ${who.role}`, errors);
  return { page, errors };
}
