import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CITY_HALL_GEOLOCATION, launchBrowser, pageErrors, phoneContext } from './browser.js';
import { startStack, type Stack, type Tenants } from './stack.js';

export interface RiderBrowser {
  stack: Stack;
  tenants: Tenants;
  browser: Browser;
  context: BrowserContext;
  /** A phone page near Seoul City Hall, with its errors collected. */
  page: Page;
  errors: string[];
}

/** The three services as processes (over TCP) with one agency's tenants, and Chromium with a phone page beside them. */
export async function openRiderBrowser(options: { env: Record<string, string>; agency: string; riders: string[] }): Promise<RiderBrowser> {
  const stack = await startStack({ transport: 'tcp', env: options.env });
  const tenants = await stack.tenants(options.agency, options.riders);
  const browser = await launchBrowser();
  const context = await phoneContext(browser, { geolocation: CITY_HALL_GEOLOCATION });
  const page = await context.newPage();
  return { stack, tenants, browser, context, page, errors: pageErrors(page) };
}

export async function closeRiderBrowser(opened: { browser?: Browser; stack?: Stack }): Promise<void> {
  await opened.browser?.close();
  await opened.stack?.stop();
}
