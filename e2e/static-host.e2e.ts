/**
 * The build folder on a plain static host that sends no COOP/COEP headers: the page is not
 * cross-origin isolated, says WASM runs single-threaded, and still loads and generates.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchChromium, openPage, serveStatic, type CheckedPage, type Served } from "./harness.ts";
import { readRun, setOptions, startRun, waitForModel, waitForRunEnd } from "./driver.ts";

describe("page on a static host without COOP/COEP", { timeout: 600_000 }, () => {
  let served: Served;
  let browser: Browser;
  let checked: CheckedPage;

  before(async () => {
    served = await serveStatic();
    browser = await launchChromium();
    checked = await openPage(browser, served.url);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
  });

  it("says it runs single-threaded, then loads and generates", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#isolation", "data-isolated"), "false");
    assert.match((await page.textContent("#isolation")) ?? "", /single-threaded/);
    await setOptions(page, { decoder: "threshold", genLength: 8, blockSize: 8 });
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
    assert.equal((await readRun(page)).stopReason.length > 0, true);
  });

  it("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
