// What the browser pays for one incident page: the compressed size of the wasm and JavaScript it
// loads, what of it came over the network on the first load and on later ones, and how long
// after navigation the page is hydrated, averaged over repeated loads in headless Chromium.
// Prints one JSON object.
//
//   node end2end/bench/browser.mjs BASE_URL PATH COOKIE [LOADS]

import { chromium } from '@playwright/test';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const [base, path, cookie, loadsArg] = process.argv.slice(2);
const loads = Number(loadsArg ?? 10);
if (!base || !path || !cookie) {
  console.error('usage: node end2end/bench/browser.mjs BASE_URL PATH COOKIE [LOADS]');
  process.exit(2);
}
const [cookieName, ...rest] = cookie.split('=');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const context = await browser.newContext();
await context.addCookies([{ name: cookieName, value: rest.join('='), url: base }]);
// The moment the app marks the page hydrated, on the page's own clock.
await context.addInitScript(() => {
  new MutationObserver((_, observer) => {
    if (document.body?.dataset.hydrated === 'true') {
      window.__hydratedAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
});

const page = await context.newPage();
const assets = new Map();
page.on('response', async (response) => {
  const url = response.url();
  if (/\.(wasm|js)(\?|$)/.test(url) && response.ok()) {
    assets.set(url, await response.body());
  }
});

let firstTransfer = 0;
const repeatTransfer = [];
const afterStart = [];
const afterLoad = [];
for (let i = 0; i <= loads; i++) {
  await page.goto(base + path, { waitUntil: 'load' });
  if (new URL(page.url()).pathname !== path) {
    throw new Error(`expected ${path}, landed on ${page.url()} (is the cookie signed in?)`);
  }
  await page.waitForFunction(() => window.__hydratedAt !== undefined, null, { timeout: 30_000 });
  const [hydrated, loaded, transferred] = await page.evaluate(() => [
    window.__hydratedAt,
    performance.getEntriesByType('navigation')[0].loadEventStart,
    // Bytes of wasm and JavaScript that came over the network for this load, compressed as
    // the server sent them (0 for a file the browser had kept).
    performance
      .getEntriesByType('resource')
      .filter((r) => /\.(wasm|js)(\?|$)/.test(r.name))
      .reduce((sum, r) => sum + r.transferSize, 0),
  ]);
  if (i === 0) {
    firstTransfer = transferred;
  } else {
    repeatTransfer.push(transferred);
  }
  // The first load fills the browser's cache and compiles the wasm; it is not counted.
  if (i > 0) {
    afterStart.push(hydrated);
    afterLoad.push(Math.max(0, hydrated - loaded));
  }
}
await browser.close();

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
let raw = 0;
let gzip = 0;
let brotli = 0;
const files = [];
for (const [url, body] of assets) {
  raw += body.length;
  gzip += gzipSync(body, { level: 9 }).length;
  brotli += brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length;
  files.push(new URL(url).pathname);
}
console.log(
  JSON.stringify({
    files,
    raw_bytes: raw,
    gzip_bytes: gzip,
    brotli_bytes: brotli,
    transferred_first_load_bytes: firstTransfer,
    transferred_later_loads_bytes: Math.round(mean(repeatTransfer)),
    loads,
    hydrated_after_navigation_ms: Math.round(mean(afterStart)),
    hydrated_after_load_ms: Math.round(mean(afterLoad)),
  }),
);
