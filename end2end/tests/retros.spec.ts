import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createHash } from 'node:crypto';
import { choosePerson } from './people';

// Runs after the accounts and incidents specs on the same server: their people and their
// incidents of 20 November 2026 are the figures here.
const engineer = { username: 'bea', password: 'engineer passphrase 42' };

async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

async function signIn(page: Page, javaScriptEnabled: boolean, who: { username: string; password: string }) {
  await page.goto('/login');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(who.username);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
}

test('analytics: a month with the incidents behind its count, a refused period named, then a week chosen in the form', async ({ page, javaScriptEnabled }) => {
  await signIn(page, javaScriptEnabled, engineer);
  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();

  await page.goto('/analytics?kind=month&period=2026-11');
  await ready(page, javaScriptEnabled);
  await expect(page.locator('.pager strong')).toHaveText('November 2026');
  await expect(page.locator('p.headline')).toContainText('previous month');
  const incidents = page.locator('tr[data-metric="incidents"]');
  const count = Number(await incidents.locator('summary').textContent());
  expect(count).toBeGreaterThan(0);
  await incidents.locator('summary').click();
  const titles = await incidents.locator('details.behind a').allTextContents();
  expect(titles).toHaveLength(count);
  expect(titles.some((t) => /Checkout returns 502s|Login page blank/.test(t))).toBeTruthy();
  // Every figure links to its definition.
  await expect(page.locator('tr[data-metric="mttr"] th a')).toHaveAttribute('href', /\/how-we-measure#mttr/);
  // Each trend chart has a table to read the numbers from.
  await expect(page.locator('figure[data-chart="incidents"] svg title')).toContainText('Incidents over the last 12 periods');

  // A period that is not of the chosen kind is refused, naming the field.
  await page.goto('/analytics?kind=month&period=2026-W47');
  await ready(page, javaScriptEnabled);
  await expect(page.getByText(/Period must be a month like 2026-11/)).toBeVisible();

  await page.getByLabel('Period kind').selectOption('week');
  await page.getByLabel('Period', { exact: true }).fill('2026-W47');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('.pager strong')).toHaveText('Week 47 of 2026 (16 Nov – 22 Nov)');
  await expect(page.locator('tr[data-metric="incidents"] summary')).toHaveText(String(count));
  await page.getByRole('link', { name: '← Previous' }).click();
  await expect(page.locator('.pager strong')).toHaveText('Week 46 of 2026 (9 Nov – 15 Nov)');
  await expect(page.locator('tr[data-metric="incidents"] .figure-cell')).toHaveText('0');
});

test('each group of pages brings its own code: analytics fetches its part when first reached, then works', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only the hydrated app fetches code');
  const fetched = new Set<string>();
  page.on('response', (response) => {
    if (response.ok() && new URL(response.url()).pathname.endsWith('.wasm')) {
      fetched.add(new URL(response.url()).pathname);
    }
  });
  await signIn(page, javaScriptEnabled, engineer);
  const forSignIn = new Set(fetched);
  await page.goto('/incidents');
  await ready(page, javaScriptEnabled);
  const forIncidents = new Set(fetched);
  // The incident pages come in code of their own.
  expect([...forIncidents].filter((path) => !forSignIn.has(path)).length).toBeGreaterThan(0);

  // Navigating inside the app, not loading a new document.
  await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  const forAnalytics = [...fetched].filter((path) => !forIncidents.has(path));
  expect(forAnalytics.length).toBeGreaterThan(0);

  // The page reached that way works.
  await page.getByLabel('Period kind').selectOption('week');
  await page.getByLabel('Period', { exact: true }).fill('2026-W47');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('.pager strong')).toHaveText('Week 47 of 2026 (16 Nov – 22 Nov)');
});

// As after an upgrade: the document in the browser names code files the server no longer has.
// Every `.wasm` file this document has not asked for yet is answered 404 (`gone`), and the paths
// of the documents loaded from then on are kept in `documents`. With `once`, the files are back
// for the next document, as after an upgrade; without it they stay gone.
async function upgradeUnder(page: Page, once: boolean) {
  const asked = new Set<string>();
  const gone: string[] = [];
  const documents: string[] = [];
  for (const entry of await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name))) {
    asked.add(new URL(entry).pathname);
  }
  await page.route('**/*', (route) => {
    const request = route.request();
    const path = new URL(request.url()).pathname;
    if (request.isNavigationRequest()) documents.push(path);
    if (path.endsWith('.wasm') && !asked.has(path) && !(once && documents.length > 0)) {
      gone.push(path);
      return route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not found' });
    }
    return route.continue();
  });
  return { gone, documents };
}

test('after an upgrade, a page whose code the tab no longer finds is loaded anew from the server, and works', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only the hydrated app fetches code');
  await signIn(page, javaScriptEnabled, engineer);
  await page.goto('/incidents?severity=sev2');
  await ready(page, javaScriptEnabled);
  const { gone, documents } = await upgradeUnder(page, true);
  await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });

  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page).toHaveURL(/\/analytics$/);
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  expect(gone.length, 'the analytics code asked for before the new document').toBeGreaterThan(0);
  expect(documents).toEqual(['/analytics']);
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBeUndefined();

  // The page loaded anew works, and so does the way back.
  await page.getByLabel('Period kind').selectOption('week');
  await page.getByLabel('Period', { exact: true }).fill('2026-W47');
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.locator('.pager strong')).toHaveText('Week 47 of 2026 (16 Nov – 22 Nov)');
  await page.goBack();
  await page.goBack();
  await expect(page).toHaveURL(/\/incidents\?severity=sev2$/);
  await expect(page.getByRole('heading', { name: 'Incidents', exact: true })).toBeVisible();
});

test('code that stays missing: the page is loaded anew once, not over and over, and then says so', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only the hydrated app fetches code');
  await signIn(page, javaScriptEnabled, engineer);
  await page.goto('/incidents');
  await ready(page, javaScriptEnabled);
  const { gone, documents } = await upgradeUnder(page, false);
  const gaveUp = page.waitForEvent('console', (message) => message.text().includes('could not be loaded again'));

  await page.getByRole('link', { name: 'Analytics' }).click();
  await gaveUp;
  expect(documents).toEqual(['/analytics']);
  expect(gone.length).toBeGreaterThan(0);
  // The server's page stays, not hydrated: readable, and its links load pages from the server.
  await expect(page.getByRole('heading', { name: 'Analytics' })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(0);
  await page.locator('nav.sidebar').getByRole('link', { name: 'Incidents', exact: true }).click();
  await expect(page).toHaveURL(/\/incidents$/);
  await ready(page, javaScriptEnabled);
  expect(documents).toEqual(['/analytics', '/incidents']);

  // Asked for again within the minute, the page is not loaded anew: it says what happened.
  await page.getByRole('link', { name: 'Analytics' }).click();
  await expect(page.getByRole('heading', { name: 'This page could not be loaded' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Load the page again' })).toHaveAttribute('href', '/analytics');
  expect(documents).toEqual(['/analytics', '/incidents']);
});

test('the shell, which every page loads, carries none of the pages’ own text', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'one look at the built files is enough');
  const html = await (await page.request.get('/login')).text();
  const shell = html.match(/\/pkg\/hindsight[._][^"]*\.wasm/)?.[0];
  expect(shell, 'the shell named in the page').toBeTruthy();
  const code = (await (await page.request.get(shell!)).body()).toString('latin1');
  // The shell's own text is there, as written.
  expect(code).toContain('Signed in as ');
  // Text of pages in three other groups is not: each comes with its group's chunk.
  expect(code).not.toContain('One or two sentences a reader outside the team understands.');
  expect(code).not.toContain('One JSON document with the organisation');
  expect(code).not.toContain('The exact definition of every figure Hindsight shows.');
});

test('the app’s code comes compressed and is kept: the next page downloads none of it again', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only the hydrated app loads code');
  const code = new Map<string, Record<string, string>>();
  const bodies = new Map<string, Promise<Buffer>>();
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (response.ok() && /\.(wasm|js|css)$/.test(path)) {
      code.set(path, response.headers());
      // Read only for files kept for good; a body the browser gave up on is not one of them.
      bodies.set(path, response.body().catch(() => Buffer.alloc(0)));
    }
  });
  await signIn(page, javaScriptEnabled, engineer);
  await page.goto('/incidents');
  await ready(page, javaScriptEnabled);
  // The pages' code, in chunks named by their content, is kept for good; the few files whose
  // names do not follow their content are asked after each time.
  const chunks = [...code.keys()].filter((path) => /^\/pkg\/(split|chunk)_/.test(path));
  expect(chunks.length).toBeGreaterThan(0);
  for (const [path, headers] of code) {
    expect(headers['content-encoding'], path).toBe('br');
    const kept = chunks.includes(path) ? ['public, max-age=31536000, immutable'] : ['public, max-age=31536000, immutable', 'no-cache'];
    expect(kept, path).toContain(headers['cache-control']);
    // Whatever is kept for good says in its name what it holds: a new build's pages name new files.
    if (headers['cache-control'].includes('immutable')) {
      const digest = createHash('md5').update(await bodies.get(path)!).digest('base64url');
      expect(path, 'named by the MD5 of what it holds').toContain(`.${digest}.`);
    }
  }

  // A new document of pages already visited: the chunks come from the browser's cache, and
  // nothing is downloaded again (a file asked after costs its headers only).
  await page.goto('/');
  await ready(page, javaScriptEnabled);
  const loaded = await page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((r) => /\.(wasm|js|css)$/.test(new URL(r.name).pathname))
      .map((r) => ({ path: new URL(r.name).pathname, bytes: r.transferSize })),
  );
  expect(loaded.filter((r) => /^\/pkg\/(split|chunk)_/.test(r.path)).length).toBeGreaterThan(0);
  expect(loaded.filter((r) => /^\/pkg\/(split|chunk)_/.test(r.path) && r.bytes > 0)).toEqual([]);
  expect(loaded.filter((r) => r.bytes > 1024)).toEqual([]);
});

test('every page names in its head the code it needs, each time it is served', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'only the hydrated app loads code');
  await signIn(page, javaScriptEnabled, engineer);
  // Routed requests skip the browser's cache, so each page fetches the code it needs.
  await page.route('**/pkg/**', (route) => route.continue());
  for (const path of ['/incidents', '/analytics', '/incidents', '/action-items', '/incidents', '/analytics']) {
    const fetched: string[] = [];
    const collect = (response: { url(): string }) => {
      const file = new URL(response.url()).pathname;
      if (/^\/pkg\/(split|chunk)_.*\.wasm$/.test(file)) fetched.push(file);
    };
    page.on('response', collect);
    // A new document each time, from a new render on the server.
    await page.goto(path);
    await ready(page, javaScriptEnabled);
    page.off('response', collect);
    const named = await page.locator('head link[rel="preload"][as="fetch"]').evaluateAll((links) =>
      links.map((link) => new URL((link as HTMLLinkElement).href).pathname),
    );
    expect(fetched.length, path).toBeGreaterThan(0);
    // Each once: the loader takes the preloaded copy rather than asking again.
    expect(new Set(fetched).size, `${path}: ${fetched}`).toBe(fetched.length);
    for (const file of fetched) expect(named, `${path} fetched ${file}`).toContain(file);
    await expect(page.locator('head link[rel="modulepreload"][href*="__wasm_split"]'), path).toHaveCount(1);
  }
});

const facilitator = { username: 'fay', password: 'facilitator passphrase 7' };

async function raiseAndFinish(page: Page, javaScriptEnabled: boolean, title: string, due: string, doneOn: string) {
  const review = page.url();
  const form = page.locator('form.add-review-item');
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('From incident').selectOption({ index: 1 });
  await choosePerson(form.getByLabel('Owner'), javaScriptEnabled, 'Fay Facilitator');
  await form.getByLabel('Due').fill(due);
  await form.getByRole('button', { name: 'Add item' }).click();
  const raised = page.locator('[data-section="new_items"]').getByRole('link', { name: title });
  await expect(raised).toBeVisible();
  await raised.click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Done on').fill(doneOn);
  await page.getByRole('button', { name: 'Mark done' }).click();
  await expect(page.locator('.badge.item-state.done').first()).toBeVisible();
  await page.goto(review);
  await ready(page, javaScriptEnabled);
}

test('a facilitator runs this month’s review: figures and a finding, a due item verified, an item raised, closed; next month’s review has it due', async ({ page, javaScriptEnabled }) => {
  await signIn(page, javaScriptEnabled, facilitator);
  await page.getByRole('link', { name: 'Reviews' }).click();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Cadence').selectOption('monthly');
  await page.getByLabel('Period').fill('2026-11');
  await page.getByRole('button', { name: 'Start review' }).click();
  await expect(page.getByRole('heading', { name: 'Monthly review: November 2026' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await expect(page.locator('[data-section="headline"] .headline')).toContainText('previous month');
  await expect(page.locator('[data-section="findings"] li[data-finding]').first()).toBeVisible();

  // Done in October, so its verification comes due in November's review: verified in place.
  await raiseAndFinish(page, javaScriptEnabled, 'Alert on checkout 5xx', '2026-12-15', '2026-10-20');
  const due = page.locator('[data-section="due_for_verification"] li', { hasText: 'Alert on checkout 5xx' });
  await expect(due).toContainText('due for verification 2026-11-01');
  await due.getByLabel('Outcome').selectOption('effective');
  await due.getByLabel('Evidence').fill('It fired on the 3rd and paged within a minute');
  await due.getByRole('button', { name: 'Verify' }).click();
  await expect(due.locator('.badge.outcome.effective')).toBeVisible();

  // Done in November: due at the next monthly review.
  await raiseAndFinish(page, javaScriptEnabled, 'Runbook for checkout', '2026-12-20', '2026-11-20');
  await expect(page.locator('[data-section="due_for_verification"]')).not.toContainText('Runbook for checkout');

  await page.getByRole('textbox', { name: 'Attendees' }).fill('Fay, Bea');
  await page.getByRole('button', { name: 'Save notes' }).click();
  await expect(page.getByRole('textbox', { name: 'Attendees' })).toHaveValue('Fay, Bea');
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Close review' }).click();
  await expect(page.getByText('The figures are as they were when it closed.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Close review' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Next review' }).click();
  await ready(page, javaScriptEnabled);
  await expect(page.getByLabel('Period')).toHaveValue('2026-12');
  await page.getByRole('button', { name: 'Start review' }).click();
  await expect(page.getByRole('heading', { name: 'Monthly review: December 2026' })).toBeVisible();
  const next = page.locator('[data-section="due_for_verification"] li', { hasText: 'Runbook for checkout' });
  await expect(next).toContainText('due for verification 2026-12-01');
});
