/**
 * The build folder on a plain static host that sends no COOP/COEP headers: the page is not
 * cross-origin isolated, says WASM runs single-threaded, and still loads and generates.
 * Service workers are blocked, as in a browser without them: the app's service worker adds the
 * headers itself on such a host, which e2e/offline.spec.ts tests.
 */
import assert from "node:assert/strict";
import { readRun, setOptions, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { noteErrorsPerTest, openCheckedPage, test, type CheckedPage } from "./fixtures.ts";

test.describe("page on a static host without COOP/COEP", () => {
  test.describe.configure({ mode: "serial" });
  let checked: CheckedPage;

  test.beforeAll(async ({ browser, staticURL }) => {
    checked = await openCheckedPage(browser, staticURL, { serviceWorkers: "block" });
  });
  test.afterAll(async () => {
    await checked?.page.context().close();
  });
  noteErrorsPerTest(() => checked);

  test("says it runs single-threaded, then loads and generates", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#isolation", "data-isolated"), "false");
    assert.match((await page.textContent("#isolation")) ?? "", /single-threaded/);
    await setOptions(page, { decoder: "threshold", genLength: 8, blockSize: 8 });
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
    assert.equal((await readRun(page)).stopReason.length > 0, true);
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
