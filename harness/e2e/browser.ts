// Headless Chromium for the ui suite: Debian's `chromium` package (installed through apt on first
// use, never a downloaded browser), driven by playwright-core from npm over CDP.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { ensureSystemPackages } from '../system-packages.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches Debian's Chromium headless; as root its own sandbox cannot start, so it is off. */
export async function launchChromium(): Promise<Browser> {
  await ensureSystemPackages(['chromium'], 'the ui suite (a real browser, headless)');
  if (!existsSync(CHROMIUM)) throw new Error(`Debian's chromium package is installed but ${CHROMIUM} is missing`);
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...(asRoot ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'] });
}
