import { expect, test as base, type Page } from '@playwright/test';

// Collects, into `refused`, what the browser refuses of `page` under the server's Content
// Security Policy (an inline style, a script without the nonce): a person would see only a page
// that looks or works wrong.
export function watchPolicy(page: Page, refused: string[]) {
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) {
      refused.push(`${page.url()}: ${message.text()}`);
    }
  });
}

// The `test` of every spec: what the policy refused on any page it watched fails the test. Its
// own page is watched; a page a test opens itself is watched with `watchPolicy(page, refused)`.
export const test = base.extend<{ refused: string[] }>({
  refused: async ({}, use) => {
    const refused: string[] = [];
    await use(refused);
    expect(refused, 'parts of pages the security policy refused').toEqual([]);
  },
  page: async ({ page, refused }, use) => {
    watchPolicy(page, refused);
    await use(page);
  },
});

export { expect };
