/**
 * End-to-end tests of the page against the production build (dist/, `npm run build` first),
 * served on 127.0.0.1 and driven in headless Debian Chromium. The shipped model may hold
 * random weights, so tests check the mechanics (events, blocks, stop, cache, trace), never
 * whether an answer is right. Screenshots and the exported trace go to each test's folder under
 * test-results/ and into the report.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  liveObservations,
  loadModel,
  observeLiveRun,
  readRun,
  RUN_TIMEOUT,
  setOptions,
  setPrompt,
  startRun,
  waitForModel,
  waitForRunEnd,
} from "./driver.ts";
import { sharedCheckedPage, test } from "./fixtures.ts";

const EMBEDDED = "./models/dllm-tiny/";
const ARITHMETIC = "Question: Ben has 13 cups. He wins 4 more. He loses 1. How many cups does Ben have now?\nAnswer:\n";

test.describe("page on vite preview (COOP/COEP), WASM backend", () => {
  test.describe.configure({ mode: "serial" });
  // The bad-URL test provokes 404s for its missing folder on purpose.
  const missing = /missing-model/;
  const checked = sharedCheckedPage("/", { expectedErrors: missing });

  test("loads the embedded model on WASM, cross-origin isolated, downloaded", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    assert.match((await page.textContent("#backend")) ?? "", /WASM.*no adapter/);
    assert.equal(await page.getAttribute("#isolation", "data-isolated"), "true");
    assert.equal(await page.getAttribute("#load-status", "data-source"), "network");
  });

  test("generates with adablock on an arithmetic prompt, drawing steps while it runs", async () => {
    const { page } = checked;
    const testInfo = test.info();
    await setPrompt(page, ARITHMETIC);
    // tau = 1 (one token a pass): the int8 model decodes this prompt in 5 passes at 0.9, too fast
    // for several frames to be drawn while it runs; 30-odd passes give the view time to draw.
    await setOptions(page, { decoder: "adablock", genLength: 64, blockSize: 8, threshold: 1, delimiterThreshold: 0.3, temperature: 0 });
    await observeLiveRun(page);
    await startRun(page);
    // The artifact: the live view once a second block has opened, if the run is still going.
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("#live")?.dataset.status !== "running" || document.querySelector("#live .cell.boundary") !== null,
      undefined,
      { timeout: RUN_TIMEOUT, polling: 50 },
    );
    if ((await page.getAttribute("#live", "data-status")) === "running") {
      const path = testInfo.outputPath("live-view-adablock-mid-run.png");
      await page.locator("#live").screenshot({ path });
      await testInfo.attach("live view, AdaBlock mid-run", { path, contentType: "image/png" });
    }
    assert.equal(await waitForRunEnd(page), "done");
    const run = await readRun(page);
    const seen = await liveObservations(page);
    assert.ok(seen.some((o) => o.rows > 0 && o.blockCells > 0), "heat-map rows and the current block were drawn before the end");
    assert.ok(seen.some((o) => o.boundaries > 0), "a past block boundary was drawn before the end");
    assert.equal(run.steps, run.nfe, "every step event was drawn");
    assert.equal(Number(await page.getAttribute("#live canvas.heatmap", "data-rows")), run.nfe);
    assert.match(run.stopReason, /^(length|eos)$/);
    assert.ok(run.tokens.length > 0 || run.stopReason === "eos");
    assert.match((await page.textContent("#run-status")) ?? "", /^done: \d+ passes/);
  });

  test("exports the run as a trace and replays it with the same number of steps", async () => {
    const { page } = checked;
    const testInfo = test.info();
    const { nfe } = await readRun(page);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-trace")]);
    const file = testInfo.outputPath("live-run.trace.jsonl");
    await download.saveAs(file);
    await testInfo.attach("exported trace", { path: file, contentType: "application/x-ndjson" });
    const lines = readFileSync(file, "utf8").trim().split("\n");
    assert.equal(lines.length, nfe + 2, "header, one line per pass, result");
    await page.setInputFiles("#import-trace", file);
    await page.waitForSelector(`#replay-label[data-total="${nfe}"]`, { state: "attached" });
    assert.equal(await page.getAttribute("#replay", "data-steps"), String(nfe));
    assert.equal(await page.getAttribute("#replay canvas.heatmap", "data-rows"), String(nfe));
    // Scrubbing back shows an earlier step.
    await page.$eval("#replay-step", (slider) => {
      (slider as HTMLInputElement).value = "1";
      slider.dispatchEvent(new Event("input"));
    });
    assert.equal(await page.getAttribute("#replay", "data-steps"), "1");
  });

  test("compares two decoder settings side by side on the same prompt", async () => {
    const { page } = checked;
    await setOptions(page, { genLength: 16 });
    await startRun(page, "#compare-run", "#compare-b-view");
    assert.equal(await waitForRunEnd(page, "#compare-b-view"), "done");
    for (const side of ["a", "b"]) {
      const run = await readRun(page, `#compare-${side}-view`);
      assert.equal(run.status, "done");
      assert.equal(await page.getAttribute(`#compare-${side}-summary`, "data-nfe"), String(run.nfe));
      assert.match((await page.textContent(`#compare-${side}-summary`)) ?? "", /NFE \d+, [\d.]+ s, \d+ blocks/);
    }
  });

  test("stops within a pass of Stop, keeps the partial result and stays usable", async () => {
    const { page } = checked;
    const testInfo = test.info();
    // One token per pass and free text (a solved problem ends with [EOS] after a few dozen passes),
    // so the run lasts long enough to stop it half-way. L = 256: the int8 graph's passes at 128
    // are shorter than a frame, so the drawn count would trail the passes run by several.
    await setPrompt(page, "The old man walked into the room and");
    await setOptions(page, { decoder: "fixed", genLength: 256, blockSize: 32, steps: 256 });
    await startRun(page);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#live")?.dataset.steps) >= 4, undefined, {
      timeout: RUN_TIMEOUT,
      polling: 50,
    });
    // Passes drawn when the click lands, not when the test decides to click: on a loaded machine
    // Playwright's checks before the click take several passes.
    await page.evaluate(() => {
      const stop = document.querySelector<HTMLElement>("#stop")!;
      // An inline listener: a transpiler may wrap a named one in a helper the page does not have.
      stop.addEventListener(
        "click",
        () => {
          stop.dataset.stepsAtClick = document.querySelector<HTMLElement>("#live")?.dataset.steps ?? "";
        },
        { once: true, capture: true },
      );
    });
    await page.click("#stop");
    const stepsAtStop = Number(await page.getAttribute("#stop", "data-steps-at-click"));
    const screenshot = testInfo.outputPath("live-view-mid-run.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    await testInfo.attach("page when Stop was clicked", { path: screenshot, contentType: "image/png" });
    assert.equal(await waitForRunEnd(page), "stopped");
    const stopped = await readRun(page);
    assert.equal(stopped.stopReason, "aborted");
    assert.ok(stopped.nfe < 256, `stopped early (${stopped.nfe} passes)`);
    assert.ok(stopped.nfe <= stepsAtStop + 3, `stopped within a pass or so of the click (${stepsAtStop} drawn, ${stopped.nfe} run)`);
    assert.equal(await page.locator("#live .cell.committed").count(), stopped.nfe, "the committed cells stay on screen");

    await setPrompt(page, ARITHMETIC);
    await setOptions(page, { decoder: "threshold", genLength: 8, blockSize: 8 });
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
  });

  test("shows a bad model URL's error and still works afterwards", async () => {
    const { page } = checked;
    await loadModel(page, "./models/missing-model/", "wasm");
    await page.waitForFunction(() => (document.querySelector("#load-error")?.textContent ?? "") !== "", undefined, { timeout: 60_000 });
    assert.match((await page.textContent("#load-error")) ?? "", /ModelLoadError: (config\.json|tokenizer\.json|tokenizer_config\.json|onnx\/model\.onnx): .*HTTP 404/);
    assert.equal(await page.isDisabled("#generate"), true, "no model, no Generate");
    await loadModel(page, EMBEDDED, "wasm");
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#load-status", "data-source"), "cache");
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
  });

  test("comes from Cache Storage on the second visit; Clear cache makes the next load download", async () => {
    const { page } = checked;
    await page.reload();
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#load-status", "data-source"), "cache");
    assert.match((await page.textContent("#load-status")) ?? "", /from cache/);

    await page.click("#clear-cache");
    await page.waitForFunction(() => /cache cleared/.test(document.querySelector("#load-status")?.textContent ?? ""));
    await loadModel(page, EMBEDDED);
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#load-status", "data-source"), "network");
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
