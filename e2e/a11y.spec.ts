/**
 * Accessibility check (issue #20): axe-core, run inside the page, finds no serious or critical
 * violation on the main page and the eval page, in the light and the dark theme, before and
 * after a run (the canvas, the heat map and a cell's tooltip on screen). axe is evaluated in
 * the page through the DevTools protocol, so the page keeps its Content-Security-Policy.
 */
import axe from "axe-core";
import type { Page } from "@playwright/test";
import { setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { expect, sharedCheckedPage, test } from "./fixtures.ts";

const SCHEMES = ["light", "dark"] as const;

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Serious and critical violations on the page as it is now, one line of targets per rule. */
async function seriousViolations(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => "axe" in globalThis))) await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const run = (globalThis as unknown as { axe: typeof axe }).axe.run;
    const { violations } = await run(document, { resultTypes: ["violations"] });
    return violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
  });
  return results.filter((v) => v.impact === "serious" || v.impact === "critical");
}

async function checkBothThemes(page: Page, when: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    const found = await seriousViolations(page);
    expect(found, `${when}, ${colorScheme} theme: ${JSON.stringify(found, null, 1)}`).toEqual([]);
  }
}

test.describe("accessibility (axe-core)", () => {
  test.describe.configure({ mode: "serial" });
  const checked = sharedCheckedPage("/", { viewport: { width: 1366, height: 860 } });

  test("main page before a run, light and dark", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    await checkBothThemes(page, "main page, model loaded, before a run");
  });

  test("main page after a run, with a cell's tooltip open, light and dark", async () => {
    const { page } = checked;
    await setPrompt(page, "Question: Ben has 13 cups. He wins 4 more. He loses 1. How many cups does Ben have now?\nAnswer:\n");
    await startRun(page);
    await waitForRunEnd(page);
    await page.locator('#live .cell[data-pos="0"]').focus();
    await page.locator("#live .cell-tooltip").waitFor({ state: "visible" });
    await checkBothThemes(page, "main page after a run");
  });

  test("main page at 390 px after a run, light and dark", async () => {
    const { page } = checked;
    await page.setViewportSize({ width: 390, height: 844 });
    await checkBothThemes(page, "main page at 390 px");
  });

  test("eval page, light and dark", async ({ baseURL }) => {
    const { page } = checked;
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.goto(new URL("./eval.html", baseURL).href);
    await page.waitForSelector("#eval-backend[data-backend='wasm']", { state: "attached", timeout: 120_000 });
    await checkBothThemes(page, "eval page");
  });

  test("no console errors", () => {
    expect(checked.errors).toEqual([]);
  });
});
