// GraphiQL runs what its editor shows whenever Run is pressed: GraphiQL itself reads the operation's
// name from the editor only 100 ms after a change, so a Run pressed sooner sent the previous
// document's name with the new text ("Unknown operation"). The page's script (web/graphiql/init.js)
// names the operation from the text it sends.
import type { Page, Request } from "@playwright/test";
import { expect, test } from "./support";

type Sent = { query: string; operationName?: string | null };

/** Replaces the query editor's text and, in the same task (0 ms later), runs it the way asked. */
async function replaceAndRun(page: Page, text: string, how: "button" | "keyboard", cursorAt?: string) {
  await page.evaluate(
    ({ text, how, cursorAt }) => {
      type Editor = { setValue(v: string): void; setCursor(p: unknown): void; posFromIndex(i: number): unknown; focus(): void };
      const element = document.querySelector(".graphiql-query-editor .CodeMirror") as unknown as { CodeMirror: Editor };
      const editor = element.CodeMirror;
      editor.setValue(text);
      if (cursorAt !== undefined) editor.setCursor(editor.posFromIndex(text.indexOf(cursorAt)));
      if (how === "button") {
        (document.querySelector(".graphiql-execute-button") as HTMLButtonElement).click();
      } else {
        editor.focus();
        const target = document.querySelector(".graphiql-query-editor textarea") as HTMLTextAreaElement;
        target.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", code: "Enter", keyCode: 13, ctrlKey: true, bubbles: true }));
      }
    },
    { text, how, cursorAt },
  );
}

async function sentBy(page: Page, action: () => Promise<void>): Promise<Sent> {
  const request = page.waitForRequest((r: Request) => r.url().endsWith("/graphql") && r.method() === "POST");
  await action();
  return (await request).postDataJSON() as Sent;
}

test.describe("GraphiQL runs what the editor shows", () => {
  test.beforeEach(async ({ page }) => {
    await page.goto("/graphql");
    await expect(page.locator(".graphiql-execute-button")).toBeVisible({ timeout: 15_000 });
    // GraphiQL has read the example (its operation, NestedGraph): the name a stale Run would send
    await expect
      .poll(() =>
        page.evaluate(() => (document.querySelector(".graphiql-query-editor .CodeMirror") as unknown as { CodeMirror: { operationName?: string } }).CodeMirror.operationName),
      )
      .toBe("NestedGraph");
  });

  for (const how of ["button", "keyboard"] as const) {
    test(`a new document run at once with the ${how} sends its own operation`, async ({ page }) => {
      for (const name of ["First", "Second", "Third"]) {
        const sent = await sentBy(page, () => replaceAndRun(page, `query ${name} { viewer { kind } }`, how));
        expect(sent.query).toContain(`query ${name}`);
        expect(sent.operationName ?? null).toBe(name);
        await expect(page.locator(".result-window")).toContainText('"kind"');
        await expect(page.locator(".result-window")).not.toContainText("Unknown operation");
      }
    });
  }

  test("text typed into the editor and run at once with Ctrl-Enter sends its own operation", async ({ page }) => {
    await page.locator(".graphiql-query-editor .CodeMirror").click();
    await page.keyboard.press("Control+A");
    const sent = await sentBy(page, async () => {
      await page.keyboard.insertText("query Typed { viewer { kind } }");
      await page.keyboard.press("Control+Enter");
    });
    expect(sent.query).toContain("query Typed");
    expect(sent.operationName).toBe("Typed");
    await expect(page.locator(".result-window")).toContainText('"kind"');
  });

  test("an anonymous document run at once is sent without a name", async ({ page }) => {
    const sent = await sentBy(page, () => replaceAndRun(page, "{ viewer { name } }", "button"));
    expect(sent.operationName ?? null).toBeNull();
    await expect(page.locator(".result-window")).toContainText('"name"');
  });

  test("of several new operations, the one under the cursor runs", async ({ page }) => {
    const text = `# two of them\nquery Kinds { viewer { kind } }\nquery Names { viewer { name } }\n`;
    const sent = await sentBy(page, () => replaceAndRun(page, text, "keyboard", "name }"));
    expect(sent.operationName).toBe("Names");
    await expect(page.locator(".result-window")).toContainText('"name"');
  });
});
