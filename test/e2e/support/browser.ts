import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Opens a local HTML file in Debian's Chromium (never a downloaded browser), headless, with the
 * flags this closed network needs (Playwright gives each launch a fresh profile), reads what a person
 * would see and takes a screenshot.
 */
export async function renderInChromium(
  file: string,
  screenshot: string,
): Promise<{ verdict: string; charts: number; tableRows: number; png: Buffer }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${file}`);
    const verdict = (await page.locator('#verdict').textContent()) ?? '';
    const charts = await page.locator('svg.chart polyline').count();
    const tableRows = await page.locator('table tr').count();
    await page.screenshot({ path: screenshot, fullPage: true });
    return { verdict, charts, tableRows, png: readFileSync(screenshot) };
  } finally {
    await browser.close();
  }
}
