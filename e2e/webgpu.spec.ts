/**
 * WebGPU (Chromium's SwiftShader, --enable-unsafe-webgpu): `auto` passes over this software
 * adapter and says so; chosen by hand, WebGPU runs, and a few-token generation at temperature 0
 * gives the same tokens as WASM on the same (fp32) graph. SwiftShader is ~100x slower than
 * WASM, so the prompt is short and one pass commits all four tokens. Tagged @webgpu: it runs
 * in the config's webgpu project (Chromium with --enable-unsafe-webgpu).
 */
import assert from "node:assert/strict";
import { loadModel, readRun, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { sharedCheckedPage, test } from "./fixtures.ts";

const FEW_TOKENS = { decoder: "fixed", genLength: 4, blockSize: 4, steps: 1, temperature: 0, seed: 0 };

test.describe("page with WebGPU (SwiftShader)", { tag: "@webgpu" }, () => {
  test.describe.configure({ mode: "serial" });
  const checked = sharedCheckedPage("/");

  test("auto picks WASM over the software adapter, saying why", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    assert.match((await page.textContent("#backend")) ?? "", /fell back to WASM: the only WebGPU adapter is a software one \(google swiftshader\), far slower than WASM/);
  });

  test("WebGPU by hand reports it and matches WASM's tokens at temperature 0", async () => {
    const { page } = checked;
    await loadModel(page, "./models/dllm-tiny/", "webgpu");
    await waitForModel(page, "webgpu");
    assert.match((await page.textContent("#backend")) ?? "", /WEBGPU \(google swiftshader\)/i);
    await setPrompt(page, "Question: 2 + 3?\nAnswer:\n");
    await setOptions(page, FEW_TOKENS);
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
    const onGpu = await readRun(page);

    // WebGPU runs dllm-tiny's fp32 graph; WASM would pick its int8 one, so fp32 is asked for.
    await loadModel(page, "./models/dllm-tiny/", "wasm", "fp32");
    await waitForModel(page, "wasm");
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
    const onWasm = await readRun(page);
    assert.equal(onGpu.nfe, 1);
    assert.ok(onGpu.tokens.length > 0 || onGpu.stopReason === "eos");
    assert.deepEqual(onGpu.tokens, onWasm.tokens);
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
