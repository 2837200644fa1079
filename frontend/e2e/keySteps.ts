// Steps of the API keys tab that several specs take.
import { expect, type Locator, type Page } from "@playwright/test";

export async function startKey(page: Page, description: string): Promise<Locator> {
  await page.getByRole("button", { name: "Create an API key" }).click();
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByRole("textbox", { name: "Description" }).fill(description);
  return form;
}

/** The secret-once dialog: read the secret, confirm it was stored, and close it. */
export async function finishSecret(page: Page): Promise<string> {
  const dialog = page.getByRole("dialog", { name: "Copy your new API key" });
  await expect(dialog).toBeVisible();
  const secret = await dialog.getByRole("textbox", { name: /^API key for/ }).inputValue();
  expect(secret).toMatch(/^cak_test_[0-9A-Za-z]{49}$/);
  const done = dialog.getByRole("button", { name: "Done" });
  await expect(done).toBeDisabled();
  await dialog.getByRole("checkbox", { name: "I have copied the key and stored it safely" }).check();
  await done.click();
  await expect(dialog).toBeHidden();
  return secret;
}

/** A key made through the page with the policy's default expiry and one scope; returns its secret. */
export async function makeKey(page: Page, description: string, scope = "CARRIER_READ"): Promise<string> {
  const form = await startKey(page, description);
  await form.getByRole("checkbox", { name: new RegExp(`^${scope}`) }).check();
  await form.getByRole("button", { name: "Create API key" }).click();
  return finishSecret(page);
}
