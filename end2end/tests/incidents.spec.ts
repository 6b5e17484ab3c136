import { type Browser, type Page } from '@playwright/test';
import { expect, test, watchPolicy } from './fixtures';
import { choosePerson } from './people';

// The accounts spec runs first on the same server and leaves these people behind.
const admin = { username: 'ada', password: 'a long admin passphrase' };
const engineer = { username: 'bea', password: 'engineer passphrase 42' };
const facilitator = { username: 'fay', password: 'facilitator passphrase 7' };
const manager = { username: 'max', password: 'manager passphrase 9' };

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

/// A team, a service and a facilitator, made through the admin's own pages.
async function prepare(page: Page, javaScriptEnabled: boolean, suffix: string) {
  await signIn(page, javaScriptEnabled, admin);
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Team name').fill(`Payments ${suffix}`);
  await page.getByRole('button', { name: 'Add team' }).click();
  await expect(page.locator('.team-list').getByText(`Payments ${suffix}`).first()).toBeVisible();
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.locator('#new-service-name').fill(`checkout-${suffix}`);
  await page.locator('#new-service-team_id').selectOption({ label: `Payments ${suffix}` });
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.getByText(`checkout-${suffix}`).first()).toBeVisible();

  await page.goto('/admin/users');
  await ready(page, javaScriptEnabled);
  if ((await page.locator(`tr[data-username="${facilitator.username}"]`).count()) === 0) {
    await page.getByLabel('Username').fill(facilitator.username);
    await page.getByLabel('Display name').fill('Fay Facilitator');
    await page.getByLabel('Email').fill('fay@example.com');
    await page.getByLabel('Role', { exact: true }).selectOption('facilitator');
    await page.getByLabel('Initial password').fill(facilitator.password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.locator(`tr[data-username="${facilitator.username}"]`)).toBeVisible();
  }
  await page.context().clearCookies();
}

async function recordIncident(page: Page, javaScriptEnabled: boolean, title: string, suffix: string) {
  await page.goto('/incidents');
  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Record an incident' }).click();
  await expect(page.getByRole('heading', { name: 'Record an incident' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel(/^SEV2/).check();
  await page.getByLabel(`checkout-${suffix}`).check();
  // Resolved before it started: refused, naming the field, with everything typed still there.
  await page.getByLabel('Impact started').fill('2026-11-20T14:03:05');
  await page.getByLabel('Resolved').fill('2026-11-20T13:00:00');
  await page.getByRole('button', { name: 'Record incident' }).click();
  await expect(page.getByText('Resolved cannot be before impact started')).toBeVisible();
  await expect(page.getByLabel('Title')).toHaveValue(title);
  await expect(page.getByLabel(`checkout-${suffix}`)).toBeChecked();
  await expect(page.getByLabel(/^SEV2/)).toBeChecked();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Resolved').fill('');
  await page.getByRole('button', { name: 'Record incident' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByText('2026-11-20 14:03:05 UTC')).toBeVisible();
}

test('an engineer records an incident, builds its timeline and writes the postmortem; a facilitator publishes it', async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the live preview and lint run in the browser');
  await prepare(page, javaScriptEnabled, 'a');
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Checkout returns 502s', 'a');

  // Timeline entry from the keyboard: Enter adds the event.
  await ready(page, javaScriptEnabled);
  const add = page.locator('#add-event');
  await add.getByLabel('Time').fill('2026-11-20T14:10:00');
  await add.getByLabel('Kind').selectOption('detection');
  await add.getByLabel('Marks the moment of').selectOption('detected');
  await add.getByLabel('What happened').fill('Pager fired: checkout 5xx above 2%');
  await add.getByLabel('What happened').press('Enter');
  const detection = page.locator('li.event', { hasText: 'Pager fired' });
  await expect(detection).toContainText('Detected moment');
  // The marked event set the incident's detection time, so time to detect is known.
  await expect(page.locator('.figure', { hasText: 'Time to detect' })).toContainText('6m 55s');
  await add.getByLabel('Time').fill('2026-11-20T14:05:00');
  await add.getByLabel('Kind').selectOption('action');
  await add.getByLabel('What happened').fill('Deploy 4411 rolled out to EU');
  await add.getByLabel('What happened').press('Enter');
  await expect(page.locator('li.event').first()).toContainText('Deploy 4411', { timeout: 10_000 });

  // Classify it.
  await page.getByRole('link', { name: 'Change incident' }).click();
  await ready(page, javaScriptEnabled);
  await expect(page.getByLabel('Detected', { exact: true })).toHaveJSProperty('readOnly', true);
  await page.getByLabel('Detected by').selectOption('alert');
  await page.getByLabel('Runbook').selectOption('existed_failed');
  await page.getByLabel('Trigger or cause').selectOption('change');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Existed but failed or was incomplete')).toBeVisible();

  // Write the postmortem: the preview renders, the lint warns as you type.
  await page.getByRole('link', { name: 'Postmortem' }).click();
  await ready(page, javaScriptEnabled);
  const editor = page.getByLabel('Postmortem (markdown)');
  await expect(editor).toHaveValue(/## Root cause/);
  await editor.fill('## Summary\n\nDeploy 4411 shipped a bad pool size.\n\n## Root cause\n\nIt was human error.\n');
  await expect(page.getByText('1 blameless-language warning')).toBeVisible();
  await expect(page.getByRole('button', { name: /Line 7: “human error”/ })).toBeVisible();
  await page.getByRole('tab', { name: 'Preview' }).click();
  await expect(page.getByLabel('Preview').getByRole('heading', { name: 'Root cause' })).toBeVisible();
  await page.getByRole('tab', { name: 'Write' }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved (version 1)')).toBeVisible();
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.locator('.review .badge.status')).toHaveText('In review');

  await page.context().clearCookies();
  await signIn(page, javaScriptEnabled, facilitator);
  await page.goto('/incidents');
  await page.getByRole('link', { name: 'Checkout returns 502s' }).click();
  await expect(page.getByText('1 blameless-language warning')).toBeVisible();
  await page.getByRole('link', { name: 'Postmortem' }).click();
  await ready(page, javaScriptEnabled);
  // No action item was committed, so publishing asks why none is needed.
  await page.getByLabel('Why no action item is needed').fill('The pool size fix shipped during the incident; nothing further to commit to.');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('.review .badge.status')).toHaveText('Published');
  await expect(page.getByText('Published without action items: The pool size fix shipped')).toBeVisible();
  await expect(page.getByText(/Published by Fay Facilitator/)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Root cause' })).toBeVisible();

  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByText(/Fay Facilitator\s+published the postmortem/)).toBeVisible();
  await expect(page.getByText(/Bea Engineer\s+created the incident/)).toBeVisible();
});

async function openAsEngineer(browser: Browser, refused: string[], javaScriptEnabled: boolean, url: string) {
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  watchPolicy(page, refused);
  await signIn(page, javaScriptEnabled, engineer);
  await page.goto(url);
  await ready(page, javaScriptEnabled);
  return page;
}

test('two people editing one postmortem: the later save is refused and loses nothing', async ({ page, browser, refused, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the conflict view runs in the browser');
  await prepare(page, javaScriptEnabled, 'b');
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Search latency spike', 'b');
  const url = page.url() + '/postmortem';

  const first = await openAsEngineer(browser, refused, javaScriptEnabled, url);
  const second = await openAsEngineer(browser, refused, javaScriptEnabled, url);
  await first.getByLabel('Postmortem (markdown)').fill('## Summary\n\nFirst writer: index rebuild saturated IO.\n');
  await first.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(first.getByText('Saved (version 1)')).toBeVisible();

  const mine = '## Summary\n\nSecond writer: a cron job started the rebuild at peak.\n';
  await second.getByLabel('Postmortem (markdown)').fill(mine);
  await second.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = second.getByRole('alert').filter({ hasText: 'Someone else saved this postmortem' });
  await expect(conflict).toBeVisible();
  await expect(conflict.locator('[data-side="theirs"]')).toContainText('First writer');
  await expect(conflict.locator('.diff-line.added')).toContainText('Second writer');
  await expect(second.getByLabel('Postmortem (markdown)')).toHaveValue(mine);

  await conflict.getByRole('button', { name: /Keep mine/ }).click();
  await second.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(second.getByText('Saved (version 2)')).toBeVisible();
  await first.reload();
  await expect(first.getByLabel('Postmortem (markdown)')).toHaveValue(mine);
});

test('without JavaScript an incident is recorded and its timeline grows', async ({ page, javaScriptEnabled }) => {
  test.skip(javaScriptEnabled, 'the hydrated run covers this in the tests above');
  await prepare(page, javaScriptEnabled, 'c');
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Login page blank', 'c');
  const add = page.locator('#add-event');
  await add.getByLabel('Time').fill('2026-11-20T14:20:00');
  await add.getByLabel('Kind').selectOption('mitigation');
  await add.getByLabel('Marks the moment of').selectOption('mitigated');
  await add.getByLabel('What happened').fill('Rolled back the CDN config');
  await page.getByRole('button', { name: 'Add event' }).click();
  await expect(page.locator('li.event', { hasText: 'Rolled back' })).toContainText('Mitigated moment');
  await expect(page.locator('.figure', { hasText: 'Time to mitigate' })).toContainText('16m 55s');
});

test('the incident list is narrowed to a service typed into its filter and picked from the suggestions', async ({ page, javaScriptEnabled }) => {
  await prepare(page, javaScriptEnabled, 'f');
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Refund queue stuck', 'f');
  await page.goto('/incidents');
  await ready(page, javaScriptEnabled);
  const service = page.getByLabel('Service', { exact: true });
  if (javaScriptEnabled) {
    // Typed at speed, a name is looked up once typing pauses, not once per letter.
    const asked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/suggest_services')) asked.push(request.url());
    });
    await service.pressSequentially('kout-f');
    const suggestion = page.locator('#filter-service-suggestions').getByRole('option', { name: /^checkout-f / });
    await expect(suggestion).toContainText('Payments f');
    expect(asked.length, `asked for suggestions ${asked.length} times while typing 6 letters`).toBeLessThan(3);
    await suggestion.click();
    await expect(service).toHaveValue('checkout-f');
  } else {
    await service.fill('checkout-f');
  }
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/service=checkout-f/);
  await expect(page.getByRole('status')).toContainText('1 incident matches');
  await expect(page.getByRole('link', { name: 'Refund queue stuck' })).toBeVisible();

  // A name that several services share a part of is refused, naming the field; the text stays.
  await ready(page, javaScriptEnabled);
  await service.fill('checkout');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByText(/Service could be any of \d+ services \(“checkout”: checkout-/)).toBeVisible();
  await expect(page.getByLabel('Service', { exact: true })).toHaveValue('checkout');
});

test('two people changing one incident: the later save shows what changed and keeps its own', async ({ page, browser, refused, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, 'the conflict view runs in the browser');
  await prepare(page, javaScriptEnabled, 'd');
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Queue backlog', 'd');
  const url = page.url() + '/edit';

  const first = await openAsEngineer(browser, refused, javaScriptEnabled, url);
  const second = await openAsEngineer(browser, refused, javaScriptEnabled, url);
  await first.getByLabel('Title').fill('Queue backlog in EU');
  await first.getByRole('button', { name: 'Save changes' }).click();
  await expect(first.getByRole('heading', { name: 'Queue backlog in EU' })).toBeVisible();

  await second.getByLabel('Summary').fill('Consumers fell behind after the broker upgrade.');
  await second.getByRole('button', { name: 'Save changes' }).click();
  const conflict = second.getByRole('alert').filter({ hasText: 'Someone else changed this incident' });
  await expect(conflict).toBeVisible();
  await expect(conflict).toContainText('Queue backlog in EU');
  await expect(second.getByLabel('Summary')).toHaveValue('Consumers fell behind after the broker upgrade.');

  await conflict.getByRole('button', { name: /Keep mine/ }).click();
  await second.getByRole('button', { name: 'Save changes' }).click();
  await expect(second.getByText('Consumers fell behind after the broker upgrade.')).toBeVisible();
});

test('action items: raised from the incident, marked done, verified not effective with a follow-up; the overdue one reaches the manager and the owner', async ({ page, javaScriptEnabled }) => {
  await prepare(page, javaScriptEnabled, 'e');
  await signIn(page, javaScriptEnabled, admin);
  await page.goto('/admin/organisation');
  await ready(page, javaScriptEnabled);
  await expect(page.getByLabel('Reporting time zone')).toHaveValue('UTC');
  await page.getByRole('link', { name: 'How we measure' }).click();
  await expect(page.getByRole('heading', { name: 'How we measure', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Periods', level: 2 })).toBeVisible();
  await page.goto('/admin/users');
  await ready(page, javaScriptEnabled);
  if ((await page.locator(`tr[data-username="${manager.username}"]`).count()) === 0) {
    await page.getByLabel('Username').fill(manager.username);
    await page.getByLabel('Display name').fill('Max Manager');
    await page.getByLabel('Email').fill('max@example.com');
    await page.getByLabel('Role', { exact: true }).selectOption('manager');
    await page.getByLabel('Initial password').fill(manager.password);
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect(page.locator(`tr[data-username="${manager.username}"]`)).toBeVisible();
  }
  await page.context().clearCookies();

  // The engineer raises two committed items from the incident's page.
  await signIn(page, javaScriptEnabled, engineer);
  await recordIncident(page, javaScriptEnabled, 'Queue consumers stalled', 'e');
  const section = page.locator('#action-items');
  const quickAdd = async (title: string, due: string) => {
    await ready(page, javaScriptEnabled);
    await section.getByLabel('New item').fill(title);
    await choosePerson(section.getByLabel('Owner'), javaScriptEnabled, 'Bea Engineer');
    await section.getByLabel('Due').fill(due);
    await section.getByLabel('Type').selectOption('detect');
    await section.getByLabel('Commit now').check();
    await section.getByRole('button', { name: 'Add item' }).click();
    await expect(section.locator('tr', { hasText: title })).toBeVisible();
  };
  // A committed item without a due date is refused, naming the field, keeping the title.
  await ready(page, javaScriptEnabled);
  await section.getByLabel('New item').fill('Alert on consumer lag above five minutes');
  await choosePerson(section.getByLabel('Owner'), javaScriptEnabled, 'Bea Engineer', 'keys');
  await section.getByLabel('Commit now').check();
  await section.getByRole('button', { name: 'Add item' }).click();
  await expect(section.getByText('Due date is needed to commit an item')).toBeVisible();
  await expect(section.getByLabel('New item')).toHaveValue('Alert on consumer lag above five minutes');
  await quickAdd('Alert on consumer lag above five minutes', '2026-11-02');
  await expect(section.locator('tr', { hasText: 'Alert on consumer lag' })).toContainText('Overdue');
  await quickAdd('Runbook: draining a stuck consumer group', '2099-12-31');

  // The owner marks the runbook done on the day it was written.
  await section.getByRole('link', { name: 'Runbook: draining a stuck consumer group' }).click();
  await expect(page.getByRole('heading', { name: 'Runbook: draining a stuck consumer group' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Done on').fill('2026-11-02');
  await page.getByRole('button', { name: 'Mark done' }).click();
  await expect(page.locator('.page-header .badge.standing')).toHaveText('Awaiting verification');
  await expect(page.getByText('Due for verification on 2026-11-09')).toBeVisible();
  await page.context().clearCookies();

  // The manager finds it awaiting verification, finds it did not work, and follows it up.
  await signIn(page, javaScriptEnabled, manager);
  await page.goto('/action-items?standing=awaiting_verification');
  await ready(page, javaScriptEnabled);
  const waiting = page.locator('tr', { hasText: 'Runbook: draining a stuck consumer group' });
  await expect(waiting).toContainText('Awaiting verification');
  await waiting.getByRole('link', { name: 'Runbook: draining a stuck consumer group' }).click();
  await expect(page.getByRole('heading', { name: 'Did it work?' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Not effective').check();
  await page.getByRole('button', { name: 'Record verification' }).click();
  await expect(page.getByText('Evidence is needed')).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Not effective').check();
  await page.getByLabel('Evidence', { exact: true }).fill('Replayed the stall on the 20th: the runbook skipped the rebalance and lag kept growing.');
  await page.getByRole('button', { name: 'Record verification' }).click();
  await expect(page.locator('.page-header .badge.outcome')).toHaveText('Not effective');
  await expect(page.locator('blockquote.evidence')).toContainText('Replayed the stall on the 20th');
  await ready(page, javaScriptEnabled);
  await page.getByRole('button', { name: 'Raise a follow-up item' }).click();
  await expect(page.getByRole('heading', { name: 'Change “Follow-up: Runbook: draining a stuck consumer group”' })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Due date').fill('2099-12-31');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Follows up')).toBeVisible();
  await expect(page.getByRole('link', { name: /Runbook: draining a stuck consumer group/ })).toBeVisible();

  // The overdue item shows in the manager's view.
  await page.goto('/action-items?standing=overdue');
  await ready(page, javaScriptEnabled);
  await expect(page.locator('tr', { hasText: 'Alert on consumer lag above five minutes' })).toContainText('Overdue');
  await expect(page.locator('[data-figure="overdue"] .figure-value')).not.toHaveText('0');
  await page.context().clearCookies();

  // And in its owner's inbox, with the badge in the header.
  await signIn(page, javaScriptEnabled, engineer);
  await expect(page.locator('.inbox-link .badge.count')).toBeVisible();
  await page.goto('/action-items/mine');
  await ready(page, javaScriptEnabled);
  await expect(page.locator('section[aria-labelledby="mine-overdue"]')).toContainText('Alert on consumer lag above five minutes');
  await expect(page.locator('section[aria-labelledby="mine-later"]')).toContainText('Follow-up: Runbook: draining a stuck consumer group');
  await page.goto('/inbox');
  await ready(page, javaScriptEnabled);
  await expect(page.locator('li[data-notice="overdue"]', { hasText: 'Alert on consumer lag above five minutes' })).toBeVisible();
  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByText('0 unread')).toBeVisible();

  // The owner's calendar feed carries the due date, until the owner ends it.
  if (javaScriptEnabled) {
    await page.goto('/account');
    await ready(page, javaScriptEnabled);
    await page.getByRole('button', { name: 'Make a feed address' }).click();
    const address = (await page.locator('[data-feed="new"]').textContent()) ?? '';
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/hsc_[0-9a-f]+\.ics$/);
    const feed = await page.request.get(address);
    expect(feed.status()).toBe(200);
    expect(await feed.text()).toContain('SUMMARY:Due: Alert on consumer lag above five minutes');
    await page.getByRole('button', { name: 'End the feed' }).click();
    await expect(page.getByText('No feed yet.')).toBeVisible();
    expect((await page.request.get(address)).status()).toBe(404);
  }
});
