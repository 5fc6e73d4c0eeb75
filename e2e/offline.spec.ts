/**
 * The service worker (src/service-worker/): after one visit the page loads and generates with
 * the network off (the app and onnxruntime from the worker's cache, the model from Cache
 * Storage); on a static host that sends no COOP/COEP headers the worker supplies them, the
 * page reloads once and is cross-origin isolated, and says so.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { LOAD_TIMEOUT, readRun, setOptions, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { expect, test } from "./fixtures.ts";

/** Until the worker has cached the app (install) and serves this page (activate, claim). */
async function waitForServiceWorker(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: LOAD_TIMEOUT });
}

/** Whether the service worker itself can still reach the server: the offline test must cut it off too. */
async function workerReachesServer(context: BrowserContext): Promise<boolean> {
  const [worker] = context.serviceWorkers();
  if (!worker) throw new Error("no service worker is running");
  return worker.evaluate(() =>
    fetch(`./favicon.svg?probe=${Date.now()}`, { cache: "no-store" }).then(
      () => true,
      () => false,
    ),
  );
}

async function generateShortRun(page: Page): Promise<void> {
  await setOptions(page, { decoder: "threshold", genLength: 8, blockSize: 8 });
  await startRun(page);
  expect(await waitForRunEnd(page)).toBe("done");
  expect((await readRun(page)).text.length).toBeGreaterThan(0);
}

test.describe("offline", () => {
  // Chromium logs every request the offline network refuses (the model's version checks) as a console error.
  test.use({ expectedErrors: /ERR_INTERNET_DISCONNECTED/ });

  test("after one visit, a reload with the network off loads the model from the cache and generates", async ({ page, context }) => {
    // An earlier deploy's app cache, as a returning visitor has one: the new worker deletes it on activation.
    await page.addInitScript(() => void caches.open("dllm-app-0123456789abcdef"));
    await page.goto("/");
    await waitForModel(page, "wasm");
    await waitForServiceWorker(page);
    const cacheNames = await page.evaluate(() => caches.keys());
    expect(cacheNames.filter((name) => name.startsWith("dllm-app-"))).toEqual([expect.stringMatching(/^dllm-app-[0-9a-f]{16}$/)]);
    expect(cacheNames).not.toContain("dllm-app-0123456789abcdef");
    expect(cacheNames).toContain("dllm-model-files-v1");
    // The preview server sends COOP/COEP itself.
    await expect(page.locator("#isolation")).toHaveAttribute("data-source", "host");

    await context.setOffline(true);
    expect(await workerReachesServer(context)).toBe(false);
    expect(await page.evaluate(() => fetch("./models/dllm-tiny/config.json", { cache: "no-store" }).then(() => "reached", () => "offline"))).toBe("offline");
    await page.reload();
    await waitForModel(page, "wasm");
    await expect(page.locator("#load-status")).toHaveAttribute("data-source", "cache");
    await expect(page.locator("#load-notice")).toContainText("could not be reached");
    await expect(page.locator("#load-error")).toBeEmpty();
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await generateShortRun(page);
  });
});

test("on a static host without COOP/COEP, the service worker supplies them after one reload", async ({ page, staticURL }) => {
  let loads = 0;
  page.on("load", () => loads++);
  await page.goto(staticURL);
  // First load: not isolated; the worker installs, takes the page over and the page reloads once.
  await expect(page.locator("#isolation")).toHaveAttribute("data-source", "service-worker", { timeout: LOAD_TIMEOUT });
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await expect(page.locator("#isolation")).toContainText("supplied by the service worker");
  await waitForModel(page, "wasm");
  // The engine worker is isolated too, so the thread count is decided by the cores (workers/threads.ts), not forced to 1.
  await expect(page.locator("#isolation")).not.toContainText("not cross-origin isolated");
  await expect(page.locator("#isolation")).toContainText(/WASM uses \d+ threads?: /);
  await generateShortRun(page);
  expect(loads).toBe(2);

  // A later visit is served by the worker from the start: isolated with no further reload.
  await page.reload();
  await expect(page.locator("#isolation")).toHaveAttribute("data-source", "service-worker");
  await waitForModel(page, "wasm");
  expect(loads).toBe(3);
});
