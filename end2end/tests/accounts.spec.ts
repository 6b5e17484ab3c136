import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';

const adminPassword = 'a long admin passphrase';
const userPassword = 'engineer passphrase 42';

// With JavaScript, interact only once the page has hydrated; without it there is nothing to wait for.
async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

async function signOut(page: Page, javaScriptEnabled: boolean) {
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Your account').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
}

async function signIn(page: Page, javaScriptEnabled: boolean, username: string, password: string) {
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('first admin, sign out, sign in, create a user who then signs in', async ({ page, javaScriptEnabled }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole('heading', { name: 'Create the first admin' })).toBeVisible();
  await ready(page, javaScriptEnabled);

  // A mistake is named next to its field.
  await page.getByLabel('Username').fill('ada');
  await page.getByLabel('Display name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password', { exact: true }).fill(adminPassword);
  await page.getByLabel('Repeat the password').fill('something else entirely');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByText('Password confirmation does not match the password')).toBeVisible();
  // Nothing typed is lost, with or without JavaScript (passwords excepted without it).
  await expect(page.getByLabel('Username')).toHaveValue('ada');
  await expect(page.getByLabel('Display name')).toHaveValue('Ada Lovelace');
  await expect(page.getByLabel('Email')).toHaveValue('ada@example.com');

  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill('ada');
  await page.getByLabel('Display name').fill('Ada Lovelace');
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Password', { exact: true }).fill(adminPassword);
  await page.getByLabel('Repeat the password').fill(adminPassword);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Welcome, Ada' })).toBeVisible();

  await signOut(page, javaScriptEnabled);

  await signIn(page, javaScriptEnabled, 'ada', 'not the password');
  await expect(page.getByText('Wrong username or password.')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue('ada');
  await signIn(page, javaScriptEnabled, 'ada', adminPassword);
  await expect(page.getByRole('heading', { name: 'Welcome, Ada' })).toBeVisible();

  await ready(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Users', exact: true })).toBeVisible();
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill('bea');
  await page.getByLabel('Display name').fill('Bea Engineer');
  await page.getByLabel('Email').fill('bea@example.com');
  await page.getByLabel('Role', { exact: true }).selectOption('engineer');
  await page.getByLabel('Initial password').fill(userPassword);
  await page.getByRole('button', { name: 'Create user' }).click();
  const row = page.locator('tr[data-username="bea"]');
  await expect(row).toContainText('Bea Engineer');
  await expect(row).toContainText('Active');

  await signOut(page, javaScriptEnabled);
  await signIn(page, javaScriptEnabled, 'bea', userPassword);
  await expect(page.getByRole('heading', { name: 'Welcome, Bea' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Users', exact: true })).toHaveCount(0);

  await page.goto('/admin/users');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
});
