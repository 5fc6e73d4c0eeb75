/**
 * Settings in the URL (src/web/url-state.ts, src/web/share-link.ts): a link copied after a run
 * opens, in a fresh browser context, with the same prompt and settings and decodes the same
 * tokens; a refused clipboard shows the link to copy by hand; bad parameters are ignored with
 * a notice and the page still works.
 */
import type { Page } from "@playwright/test";
import { readRun, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd, type RunOutcome } from "./driver.ts";
import { expect, recordErrors, test } from "./fixtures.ts";

/** Sampling at temperature > 0, so the tokens depend on the seed and the test can tell two seeds apart. */
const SETTINGS = { decoder: "threshold", genLength: 24, blockSize: 8, threshold: 0.8, temperature: 0.9, seed: 1234 } as const;
const PROMPT = "It was late in the evening when";

async function run(page: Page): Promise<RunOutcome> {
  await startRun(page);
  expect(await waitForRunEnd(page)).toBe("done");
  return readRun(page);
}

test("a copied link reproduces the run that made it, in a fresh context", async ({ page, context, browser, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseURL!).origin });
  await page.goto("/");
  await waitForModel(page, "wasm");
  await setPrompt(page, PROMPT);
  await setOptions(page, SETTINGS);
  const made = await run(page);
  expect(made.tokens.length).toBeGreaterThan(0);

  await page.click("#copy-link");
  await expect(page.locator("#copy-link")).toHaveAttribute("data-copied", "clipboard");
  await expect(page.locator("#share-notice")).toContainText("Link copied");
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(page.url());
  const params = new URL(link).searchParams;
  expect(Object.fromEntries(params)).toEqual({ ...Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, String(v)])), prompt: PROMPT });

  const fresh = await browser.newContext();
  const errors: string[] = [];
  try {
    const shared = await fresh.newPage();
    recordErrors(shared, errors);
    await shared.goto(link);
    await waitForModel(shared, "wasm");
    expect(await shared.inputValue("#prompt")).toBe(PROMPT);
    expect(await shared.inputValue('#controls [name="seed"]')).toBe("1234");
    await expect(shared.locator("#share-notice")).toBeEmpty();
    const again = await run(shared);
    expect(again.tokens).toEqual(made.tokens);
    expect(again.text).toBe(made.text);

    // The same link with another seed decodes other tokens: the seed in the link is what made them equal.
    await shared.goto(link.replace("seed=1234", "seed=1235"));
    await waitForModel(shared, "wasm");
    expect((await run(shared)).tokens).not.toEqual(made.tokens);
  } finally {
    await fresh.close();
  }
  expect(errors).toEqual([]);
});

test("a refused clipboard shows the link to copy by hand", async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(navigator.clipboard, "writeText", { value: () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError")) });
  });
  await page.goto("/?seed=9");
  await page.click("#copy-link");
  await expect(page.locator("#copy-link")).toHaveAttribute("data-copied", "fallback");
  await expect(page.locator("#share-notice")).toContainText("Write permission denied");
  await expect(page.locator("#share-url")).toBeVisible();
  expect(await page.inputValue("#share-url")).toBe(page.url());
  expect(new URL(page.url()).searchParams.get("seed")).toBe("9");
});

test("unknown parameters and bad values are ignored with a notice; the rest applies and the page works", async ({ page }) => {
  await page.goto("/?seed=abc&colour=red&genLength=8&decoder=threshold&blockSize=8&backend=cuda");
  await expect(page.locator("#share-notice")).toContainText('ignored seed="abc"');
  await expect(page.locator("#share-notice")).toContainText('ignored colour="red"');
  await expect(page.locator("#share-notice")).toContainText('ignored backend="cuda"');
  expect(await page.inputValue('#controls [name="genLength"]')).toBe("8");
  // The URL keeps only what was applied.
  expect(new URL(page.url()).search).toBe("?decoder=threshold&genLength=8&blockSize=8");
  await waitForModel(page, "wasm");
  const outcome = await run(page);
  expect(outcome.stopReason.length).toBeGreaterThan(0);
});
