import { expect, type Locator } from '@playwright/test';

/**
 * Fills a person field the way a person does. With JavaScript: types the start of the name and
 * picks the suggestion, by mouse or by keyboard; the field then holds the person's label. Without
 * JavaScript: types the whole name, which the server looks up.
 */
export async function choosePerson(
  field: Locator,
  javaScriptEnabled: boolean,
  name: string,
  how: 'click' | 'keys' = 'click',
) {
  await field.fill('');
  if (!javaScriptEnabled) {
    await field.fill(name);
    return;
  }
  await field.pressSequentially(name.slice(0, 3).toLowerCase());
  const suggestion = field.locator('..').getByRole('option', { name: new RegExp(`^${name} `) });
  await expect(suggestion).toBeVisible();
  if (how === 'click') {
    await suggestion.click();
  } else {
    const options = field.locator('..').getByRole('option');
    const at = (await options.allTextContents()).findIndex((text) => text.startsWith(`${name} `));
    for (let i = 0; i <= at; i++) await field.press('ArrowDown');
    await expect(suggestion).toHaveAttribute('aria-selected', 'true');
    await field.press('Enter');
  }
  await expect(field).toHaveValue(new RegExp(`^${name} \\(`));
  await expect(field.locator('..').getByRole('listbox')).toBeHidden();
}
