// Steps of the API keys tab that several specs take.
import { expect, type Locator, type Page } from "@playwright/test";

/** Open "Create an API key" (focus goes into the form) and type the description. */
export async function startKey(page: Page, description: string): Promise<Locator> {
  await page.getByRole("button", { name: "Create an API key" }).click();
  const form = page.getByRole("form", { name: "Create an API key" });
  const field = form.getByRole("textbox", { name: "Description" });
  await expect(field).toBeFocused();
  await field.fill(description);
  return form;
}

/** Give the key a level of access to a resource by its scope's code (shown beside the words). */
export async function grant(form: Locator, scope: string): Promise<void> {
  await form.getByRole("radio", { name: new RegExp(`\\b${scope}\\b`) }).check();
}

/** Review what the form says (focus goes to the review), then create the key from the review. */
export async function reviewAndCreate(page: Page, form: Locator, what = "API key"): Promise<Locator> {
  await form.getByRole("button", { name: "Review the key" }).click();
  const heading = page.getByRole("heading", { name: `Review the new ${what}` });
  await expect(heading).toBeFocused();
  const review = page.getByRole("region", { name: `Review the new ${what}` });
  await review.getByRole("button", { name: what === "API key" ? "Create API key" : "Create service key" }).click();
  return review;
}

/** The secret-once dialog: read the secret, confirm it was stored, and close it; focus goes to the notice. */
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
  // the control that opened the dialog is gone with the form: focus goes to what happened
  await expect(page.getByRole("status").filter({ hasText: /Its secret is no longer shown\.$/ })).toBeFocused();
  return secret;
}

/** A key made through the page with the policy's default expiry and one scope; returns its secret. */
export async function makeKey(page: Page, description: string, scope = "CARRIER_READ"): Promise<string> {
  const form = await startKey(page, description);
  await grant(form, scope);
  await reviewAndCreate(page, form);
  return finishSecret(page);
}
