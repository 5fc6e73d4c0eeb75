/**
 * The Qwen3 diffusion exports as a person uses them, on the local replica (model/replica: the
 * real layout, a 151,936-token vocabulary, fp16 and q4f16 graphs with external data) served as
 * the hub serves it, under the real repo ids: picked in the page's picker, downloaded with
 * progress, and chatted with on WASM with AdaBlock, fixed and threshold decoding, for MDLM and
 * BD3LM. WebGPU (SwiftShader) is asked for by hand: it runs where the adapter has shader-f16,
 * and otherwise says that this is what it lacks. Tagged @webgpu: the whole suite runs in the
 * config's webgpu project (Chromium with --enable-unsafe-webgpu), its WASM chats included.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "@playwright/test";
import { startHubServer, type HubServer } from "../src/node/hub-server.ts";
import { readRun, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { noteErrorsPerTest, openCheckedPage, test, type CheckedPage } from "./fixtures.ts";

const ROOT = resolve(import.meta.dirname, "..");
const REPLICA = join(ROOT, "model/replica/hub/dllm-replica");
const MDLM = "naklitechie/Qwen3-0.6B-diffusion-mdlm-ONNX";
const BD3LM = "naklitechie/Qwen3-0.6B-diffusion-bd3lm-ONNX";
const QUESTION = "Tom has 12 apples. He buys 5 more. How many apples does Tom have now?";

/** The replica folders under the real repo ids, so the picker's entries load them. */
function hubRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), "replica-hub-"));
  mkdirSync(join(dir, "naklitechie"));
  symlinkSync(join(REPLICA, "Qwen3-replica-diffusion-mdlm-ONNX"), join(dir, MDLM));
  symlinkSync(join(REPLICA, "Qwen3-replica-diffusion-bd3lm-ONNX"), join(dir, BD3LM));
  return dir;
}

async function pick(page: Page, repo: string, dtype: string, backend: "wasm" | "webgpu"): Promise<void> {
  await page.selectOption("#model-choice", `${repo}|${dtype}`);
  await page.selectOption("#backend-choice", backend);
  await page.click("#load");
}

/** One chat turn; returns what the conversation shows as the answer. */
async function chatTurn(page: Page, options: Record<string, string | number>): Promise<{ answer: string; nfe: number }> {
  if (!(await page.isChecked("#chat-mode"))) await page.check("#chat-mode");
  // New chat is disabled while the conversation is empty (a click would wait for it forever).
  if (await page.isEnabled("#chat-new")) await page.click("#chat-new");
  await setPrompt(page, QUESTION);
  await setOptions(page, options);
  await startRun(page);
  assert.equal(await waitForRunEnd(page), "done");
  const turns = await page.$$eval("#chat-log li", (items) => items.map((item) => item.textContent ?? ""));
  assert.equal(turns.length, 2, "the conversation shows the question and the answer");
  assert.equal(turns[0], `user: ${QUESTION}`);
  return { answer: turns[1]!.replace(/^assistant: /, ""), nfe: (await readRun(page)).nfe };
}

test.describe("the Qwen3 diffusion exports (local replica) in the page", { tag: "@webgpu" }, () => {
  test.describe.configure({ mode: "serial" });
  let hub: HubServer;
  let root: string;
  let checked: CheckedPage;

  test.beforeAll(async ({ browser, baseURL }) => {
    root = hubRoot();
    // About 4 MB/s: a download lasts long enough for the page to show its rate and time left.
    hub = await startHubServer({ root, bytesPerSecond: 4_000_000 });
    checked = await openCheckedPage(browser, `/?hub=${encodeURIComponent(hub.url)}`, { baseURL });
    await waitForModel(checked.page, "wasm"); // the embedded model first, as always
  });
  test.afterAll(async () => {
    await checked?.page.context().close();
    await hub?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });
  noteErrorsPerTest(() => checked);

  test("lists both exports per dtype with their download sizes", async () => {
    const labels = await checked.page.$$eval("#model-choice option", (options) => options.map((o) => `${(o as HTMLOptionElement).value} ${o.textContent}`));
    for (const repo of [MDLM, BD3LM]) {
      assert.ok(labels.some((l) => l.startsWith(`${repo}|fp16 `) && /about 1\.40 GB download/.test(l)), `${repo} fp16 with its size`);
      assert.ok(labels.some((l) => l.startsWith(`${repo}|q4f16 `) && /about 648\.5 MB download/.test(l)), `${repo} q4f16 with its size`);
    }
  });

  for (const [repo, dtype] of [
    [MDLM, "q4f16"],
    [BD3LM, "fp16"],
  ] as const) {
    test(`${repo} ${dtype}: downloads from the hub with progress, then chats on WASM with AdaBlock, fixed and threshold`, async () => {
      const { page } = checked;
      const graph = dtype === "q4f16" ? "model_q4f16_rtn_sym.onnx" : "model_fp16_fused.onnx";
      // The connection drops 3 MB into the weights; the download resumes from where it got to.
      hub.cutOnce(`${repo}/onnx/${graph}.data`, 3_000_000);
      await page.evaluate(() => {
        const seen: string[] = [];
        (globalThis as unknown as { statusTexts: string[] }).statusTexts = seen;
        const status = document.querySelector("#load-status")!;
        new MutationObserver(() => seen.push(status.textContent ?? "")).observe(status, { childList: true, characterData: true, subtree: true });
      });
      await pick(page, repo, dtype, "wasm");
      await waitForModel(page, "wasm");
      const texts = await page.evaluate(() => (globalThis as unknown as { statusTexts: string[] }).statusTexts);
      assert.ok(
        texts.some((t) => new RegExp(`onnx/${graph.replace(".", "\\.")}\\.data: [\\d.]+ MB / [\\d.]+ MB at [\\d.]+ MB/s, \\d+ s left`).test(t)),
        `progress showed the weights' bytes, rate and time left: ${texts.slice(-3).join(" | ")}`,
      );
      const resumed = hub.requests.filter((r) => r.path.endsWith(`${graph}.data`) && r.range !== null);
      assert.ok(resumed.some((r) => r.status === 206 && /^bytes=[1-9]\d*-$/.test(r.range!)), "the cut download resumed with a Range request");
      assert.match((await page.textContent("#load-status")) ?? "", new RegExp(`loaded onnx/${graph.replace(".", "\\.")} \\(${dtype}`));
      const fetched = hub.requests.filter((r) => r.method === "GET" && r.path.startsWith(`/${repo}/resolve/main/onnx/`)).map((r) => r.path.split("/").pop());
      assert.deepEqual([...new Set(fetched)].sort(), [graph, `${graph}.data`], "only the chosen graph and its data");
      assert.equal(await page.isDisabled("#chat-mode"), false, "the folder's chat template turns chat on");
      const settings: Record<string, string | number>[] = [
        { decoder: "adablock", genLength: 32, blockSize: 8, threshold: 0.9, delimiterThreshold: 0.3 },
        { decoder: "fixed", genLength: 32, blockSize: 16, steps: 8 },
        { decoder: "threshold", genLength: 32, blockSize: 16, threshold: 0.9 },
      ];
      for (const options of settings) {
        const { answer, nfe } = await chatTurn(page, options);
        assert.ok(nfe > 0);
        // The chat template's special tokens are named chips on the canvas, never text.
        const chips = await page.$$eval("#live .cell.prompt.special", (cells) => cells.map((c) => [(c as HTMLElement).dataset.special, c.textContent]));
        assert.ok(chips.some(([name, text]) => name === "<|im_start|>" && text === "im_start"), `prompt chips: ${JSON.stringify(chips.slice(0, 4))}`);
        assert.doesNotMatch(answer, /<\|[a-z_]+\|>/, "no special token is shown as text");
        assert.doesNotMatch(answer, /^<think>\s*<\/think>/, "no empty think block");
      }
    });
  }

  test("WebGPU asked for by hand: runs the q4f16 graph where SwiftShader has shader-f16, else says that is missing", async () => {
    const { page } = checked;
    const hasF16 = await page.evaluate(async () => (await navigator.gpu?.requestAdapter())?.features.has("shader-f16") ?? false);
    await pick(page, MDLM, "q4f16", "webgpu");
    if (hasF16) {
      await waitForModel(page, "webgpu");
      // SwiftShader is ~500x slower than WASM: a few tokens.
      await page.check("#chat-mode");
      await setPrompt(page, "Hi");
      await setOptions(page, { decoder: "threshold", genLength: 4, blockSize: 4, threshold: 0.9 });
      await startRun(page);
      assert.equal(await waitForRunEnd(page), "done");
    } else {
      await page.waitForFunction(() => (document.querySelector("#load-error")?.textContent ?? "") !== "", undefined, { timeout: 120_000 });
      assert.match((await page.textContent("#load-error")) ?? "", /ModelLoadError: .*q4f16, which needs WebGPU's shader-f16 feature, and this adapter \(.*\) lacks it/);
    }
  });

  for (const repo of [MDLM, BD3LM]) {
    test(`${repo} fp32 on WebGPU (SwiftShader, by hand): chats, the logits reduced on the GPU`, async () => {
      // SwiftShader has no shader-f16, so the fp32 graph (as the hub repos also ship one) is what runs here.
      const { page } = checked;
      await page.selectOption("#model-choice", "other");
      await page.fill("#model-url", repo);
      await page.selectOption("#model-dtype", "fp32");
      await page.selectOption("#backend-choice", "webgpu");
      const started = Date.now();
      await page.click("#load");
      // Opening a 151,936-row head on SwiftShader and its first pass take about a minute here.
      await page.waitForFunction(
        () => document.querySelector<HTMLElement>("#backend")?.dataset.backend === "webgpu" || (document.querySelector("#load-error")?.textContent ?? "") !== "",
        undefined,
        { timeout: 300_000 },
      );
      assert.equal(await page.textContent("#load-error"), "");
      assert.match((await page.textContent("#load-status")) ?? "", /loaded onnx\/model\.onnx \(fp32/);
      // SwiftShader is ~500x slower than WASM (15 s a pass here): one pass commits the 4 tokens
      // (BD3LM: two, as its blocks lie on the grid and the first one ends at the next multiple of 4).
      const { answer, nfe } = await chatTurn(page, { decoder: "fixed", genLength: 4, blockSize: 4, steps: 1 });
      console.log(`${repo} webgpu fp32: ${nfe} passes, ${(Date.now() - started) / 1000} s with the load`);
      assert.ok(nfe >= 1 && nfe <= 2, `${nfe} passes`);
      assert.doesNotMatch(answer, /<\|[a-z_]+\|>/);
    });
  }

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
