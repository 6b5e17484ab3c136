import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';

// Runs last, on the history the other specs left: past incidents come in from a CSV, then the
// whole archive goes out and into a second, empty instance.
const admin = { username: 'ada', password: 'a long admin passphrase' };

async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

async function signIn(page: Page, javaScriptEnabled: boolean, base = '') {
  await page.goto(`${base}/login`);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
}

async function addService(page: Page, javaScriptEnabled: boolean, team: string, service: string) {
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Team name').fill(team);
  await page.getByRole('button', { name: 'Add team' }).click();
  await expect(page.locator('.team-list').getByText(team).first()).toBeVisible();
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.locator('#new-service-name').fill(service);
  await page.locator('#new-service-team_id').selectOption({ label: team });
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.getByText(service).first()).toBeVisible();
}

test('a manager imports past incidents from a CSV: a dry run names the wrong cells, then all of it goes in', async ({ page, javaScriptEnabled }, info) => {
  const project = info.project.name;
  const service = `warehouse-${project}`;
  await signIn(page, javaScriptEnabled);
  await addService(page, javaScriptEnabled, `Logistics ${project}`, service);

  await page.goto('/incidents');
  await page.getByRole('link', { name: 'Import from CSV' }).click();
  await expect(page.getByRole('heading', { name: 'Import incidents from CSV' })).toBeVisible();
  await ready(page, javaScriptEnabled);

  // With JavaScript the columns are guessed from the spreadsheet's own names as it is pasted;
  // without it, the page starts from Hindsight's names, which this CSV uses.
  const header = javaScriptEnabled
    ? 'Incident,Sev,Service,Start,Resolved,How detected'
    : 'title,severity,services,started_at,resolved_at,detected_by';
  const rows = [
    `Pallets scanned twice (${project}),SEV3,${service},2025-02-03 09:00,2025-02-03 08:30,User report`,
    `Label printer queue stuck (${project}),sev9,${service},2025-02-10 14:00,2025-02-10 15:00,alert`,
  ];
  await page.getByLabel('CSV', { exact: true }).fill([header, ...rows].join('\n') + '\n');
  if (javaScriptEnabled) {
    await expect(page.getByLabel('Severity *')).toHaveValue('Sev');
    await expect(page.getByLabel('Title *')).toHaveValue('Incident');
    await expect(page.getByLabel('Detected by')).toHaveValue('How detected');
  }
  await page.getByRole('button', { name: 'Dry run' }).click();
  const problems = page.locator('table.import-problems');
  await expect(page.getByText('2 problems in 2 of 2 rows; nothing was written')).toBeVisible();
  // Found by the checks the incident form makes, in a transaction the dry run undoes.
  await expect(problems.locator('tr', { hasText: 'Resolved cannot be before impact started' }).locator('td').first()).toHaveText('2');
  await expect(problems.locator('tr', { hasText: 'is not one of sev1, sev2, sev3, sev4' }).locator('td').first()).toHaveText('3');

  // What was typed is still there to correct.
  await ready(page, javaScriptEnabled);
  const csv = page.getByLabel('CSV', { exact: true });
  await expect(csv).toHaveValue(new RegExp(`Label printer queue stuck \\(${project}\\)`));
  const corrected = [header, rows[0].replace('2025-02-03 08:30', '2025-02-03 10:30'), rows[1].replace('sev9', 'sev2')];
  await csv.fill(corrected.join('\n') + '\n');
  await page.getByRole('button', { name: 'Dry run' }).click();
  await expect(page.getByText('Dry run: all 2 incidents can be imported. Nothing has been written yet.')).toBeVisible();
  await ready(page, javaScriptEnabled);
  if (!javaScriptEnabled) {
    await expect(page.getByLabel('CSV', { exact: true })).toHaveValue(/sev2/);
  }
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText('Imported 2 incidents.')).toBeVisible();

  await page.goto(`/incidents?q=${encodeURIComponent('Label printer')}`);
  await expect(page.getByRole('link', { name: `Label printer queue stuck (${project})` })).toBeVisible();
});

test('an admin exports the archive and imports it into an empty instance, watching it go', async ({ page, javaScriptEnabled }, info) => {
  const importURL = info.project.metadata.importURL as string;
  await signIn(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Export and import' }).click();
  await expect(page.getByRole('heading', { name: 'Export and import' })).toBeVisible();
  await expect(page.getByText(/This instance holds \d+ incidents/)).toBeVisible();
  await ready(page, javaScriptEnabled);

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download the archive' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^hindsight-archive-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  const archive = JSON.parse(readFileSync(file, 'utf8'));
  expect(archive.format).toBe('hindsight-archive');
  expect(archive.version).toBe(1);
  expect(archive.incidents.length).toBe(archive.counts.incidents);
  expect(archive.incidents.length).toBeGreaterThan(2);
  expect(JSON.stringify(archive)).not.toContain('$argon2');
  if (javaScriptEnabled) {
    await expect(page.getByText(/^Saved hindsight-archive-.*\.json: \d+ records/)).toBeVisible();
    await expect(page.getByRole('progressbar', { name: 'Export progress' })).toHaveAttribute('value', /\d+/);
  }

  // This instance already holds a history: refused, and it says why.
  await page.getByLabel('Archive file').setInputFiles(file);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText(/can only be imported into an empty instance; this one already holds \d+ teams/)).toBeVisible();

  // A new instance: its first admin imports the history.
  await page.goto(`${importURL}/setup`);
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Display name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByLabel('Repeat the password').fill(admin.password);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ada' })).toBeVisible();
  await page.goto(`${importURL}/admin/archive`);
  await expect(page.getByText('This instance holds 0 incidents')).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Archive file').setInputFiles(file);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByText(`Imported ${archive.incidents.length} incidents`)).toBeVisible({ timeout: 30_000 });
  if (javaScriptEnabled) {
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    await expect(bar).toHaveAttribute('value', '1');
    await expect(bar).toHaveAttribute('max', '1');
  }

  // The same incident, under the same number.
  const first = archive.incidents[archive.incidents.length - 1];
  await page.goto(`${importURL}/incidents/${first.id}`);
  await expect(page.getByRole('heading', { name: first.title })).toBeVisible();
  await page.goto(`${importURL}/incidents`);
  await expect(page.getByText(`${archive.incidents.length} incidents match`)).toBeVisible();
});
