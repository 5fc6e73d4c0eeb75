/**
 * The KV cache on the page: the "KV cache" select set to dual makes the worker fetch the cache
 * graph of the model's dtype on the first cached run and generate with it: on WASM the int8
 * onnx/model_kv_quantized.onnx, on WebGPU (chosen by hand: auto passes over SwiftShader; two
 * passes, as SwiftShader is slow) onnx/model_kv.onnx, where the opening pass feeds a
 * zero-length cache. The WebGPU suite is tagged @webgpu: it runs in the config's webgpu project
 * (Chromium with --enable-unsafe-webgpu), the WASM one in a Chromium without it.
 */
import assert from "node:assert/strict";
import { loadModel, readRun, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { noteErrorsPerTest, openCheckedPage, test, type CheckedPage } from "./fixtures.ts";

const ARITHMETIC = "Question: Ben has 13 cups. He wins 4 more. How many cups does Ben have now?\nAnswer:\n";

for (const backend of ["wasm", "webgpu"] as const) {
  test.describe(`page with cache dual, ${backend}`, { tag: backend === "webgpu" ? ["@webgpu"] : [] }, () => {
    test.describe.configure({ mode: "serial" });
    let checked: CheckedPage;
    const kvFetches: string[] = [];
    const warnings: string[] = [];

    test.beforeAll(async ({ browser, baseURL }) => {
      checked = await openCheckedPage(browser, "/", { baseURL });
      checked.page.on("console", (message) => {
        if (message.type() === "warning") warnings.push(message.text());
      });
      checked.page.on("request", (request) => {
        if (/onnx\/model_kv(_quantized)?\.onnx$/.test(request.url()) && request.method() === "GET") kvFetches.push(request.url());
      });
    });
    test.afterAll(async () => {
      await checked?.page.context().close();
    });
    noteErrorsPerTest(() => checked);

    test("generates with the dual cache, fetching the cache graph only then", async () => {
      const { page } = checked;
      await waitForModel(page, "wasm");
      if (backend === "webgpu") {
        await loadModel(page, "./models/dllm-tiny/", "webgpu");
        await waitForModel(page, "webgpu");
      }
      assert.equal(kvFetches.length, 0, "the cache graph is not part of the default download");
      await setPrompt(page, ARITHMETIC);
      // WebGPU: one opening pass (no cache yet) and one cached pass of the block.
      const options: Record<string, string | number> = backend === "wasm"
        ? { decoder: "adablock", genLength: 32, blockSize: 8, temperature: 0, cache: "dual" }
        : { decoder: "fixed", genLength: 4, blockSize: 4, steps: 2, temperature: 0, cache: "dual" };
      await setOptions(page, options);
      await startRun(page);
      assert.equal(await waitForRunEnd(page), "done");
      const run = await readRun(page);
      assert.equal(run.steps, run.nfe, "every step event was drawn");
      assert.ok(run.nfe >= 2, `a cached pass ran (${run.nfe} passes)`);
      assert.equal(Number(await page.getAttribute("#live canvas.heatmap", "data-rows")), run.nfe);
      assert.ok(run.tokens.length > 0 || run.stopReason === "eos");
      assert.equal(kvFetches.length, 1);
      assert.match(kvFetches[0]!, backend === "wasm" ? /model_kv_quantized\.onnx$/ : /model_kv\.onnx$/, "the cache graph matches the main graph's dtype");
      assert.deepEqual(warnings.filter((w) => /model_kv/.test(w)), [], "the cache graph ran on the page's backend");
    });

    test("logged no console errors and threw nothing", () => {
      assert.deepEqual(checked.errors, []);
    });
  });
}
