/**
 * Screenshots of the page (issue #20): 1366x860 and 390x844, light and dark, before and after a
 * run, saved under the test's output folder (test-results/) and attached to the report. One
 * page and one model load: the viewport and the colour scheme change between shots. After the
 * run, a narrow screen also gets a shot scrolled to the canvas, which the top of the page hides.
 * docs/screenshots/ holds two of them, copied by hand for the README.
 */
import type { Page } from "@playwright/test";
import { setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { expect, sharedCheckedPage, test } from "./fixtures.ts";

const SIZES = [
  { name: "wide", width: 1366, height: 860 },
  { name: "narrow", width: 390, height: 844 },
] as const;
const SCHEMES = ["light", "dark"] as const;

async function shoot(page: Page, when: "before" | "after"): Promise<void> {
  const testInfo = test.info();
  // The pointer off the canvas, so no tooltip covers it.
  await page.mouse.move(0, 0);
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await page.evaluate(() => window.scrollTo(0, 0));
      const shots = [`${size.name}-${colorScheme}-${when}.png`];
      const path = testInfo.outputPath(shots[0]!);
      await page.screenshot({ path });
      await testInfo.attach(shots[0]!, { path, contentType: "image/png" });
      if (when === "after" && size.name === "narrow") {
        await page.locator("section.live").evaluate((node) => node.scrollIntoView({ block: "start" }));
        const canvasShot = `${size.name}-${colorScheme}-${when}-canvas.png`;
        const canvasPath = testInfo.outputPath(canvasShot);
        await page.screenshot({ path: canvasPath });
        await testInfo.attach(canvasShot, { path: canvasPath, contentType: "image/png" });
      }
      // The page never scrolls sideways, at either size.
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
    }
  }
}

test.describe("screenshots", () => {
  test.describe.configure({ mode: "serial" });
  const checked = sharedCheckedPage("/", { viewport: { width: 1366, height: 860 } });

  test("before a run: the model loaded, the canvas waiting", async () => {
    await waitForModel(checked.page, "wasm");
    await shoot(checked.page, "before");
  });

  test("after a run: the canvas, the heat map and the answer", async () => {
    const { page } = checked;
    await setPrompt(page, "Question: Ben has 13 cups. He wins 4 more. He loses 1. How many cups does Ben have now?\nAnswer:\n");
    await startRun(page);
    expect(await waitForRunEnd(page)).toBe("done");
    await shoot(page, "after");
  });

  test("no console errors", () => {
    expect(checked.errors).toEqual([]);
  });
});
