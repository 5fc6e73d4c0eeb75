/**
 * Reliability of the production page: it runs under its Content-Security-Policy and fetches
 * nothing but itself and the model; bad input in every control, trace file and model URL
 * ends in the engine's typed error on screen; text from a trace never becomes markup; the
 * worker crashing mid-run is reported and the page restarts it; a damaged cached model is
 * fetched again; without Cache Storage the model loads in memory with a notice; and 100
 * generations in a row leave memory flat and no tensor undisposed (the soak figures are
 * printed for docs/reliability.md).
 */
import assert from "node:assert/strict";
import type { Page } from "@playwright/test";
import { loadModel, readRun, RUN_TIMEOUT, setOptions, setPrompt, startRun, waitForModel, waitForRunEnd } from "./driver.ts";
import { noteErrorsPerTest, openCheckedPage, test, type CheckedPage } from "./fixtures.ts";

const EMBEDDED = "./models/dllm-tiny/";
const SHORT = { decoder: "threshold", genLength: 8, blockSize: 8, threshold: 0.9, temperature: 0, seed: 0 };
/** Errors these tests provoke on purpose: a missing folder's 404s, the simulated crash, the blocked inline script. */
const provoked = /no-such-model|simulated worker crash|Executing inline script violates.*sha256-0QSsnReKGYKJBqW0AmlT\/nKXq7ehw3m0aSUfhxu8v\/Y=/;

/** Presses Generate and returns the error the page shows, or "" when the run went through. */
async function generateExpectingError(page: Page): Promise<string> {
  const before = (await page.getAttribute("#live", "data-run")) ?? "0";
  await page.click("#generate");
  await page.waitForFunction(
    (previous) =>
      (document.querySelector("#run-error")?.textContent ?? "") !== "" ||
      ((document.querySelector<HTMLElement>("#live")?.dataset.run ?? "0") !== previous &&
        !(document.querySelector("#generate") as HTMLButtonElement).disabled),
    before,
    { timeout: RUN_TIMEOUT, polling: 50 },
  );
  return (await page.textContent("#run-error")) ?? "";
}

async function loadTrace(page: Page, name: string, text: string): Promise<void> {
  await page.setInputFiles("#import-trace", { name, mimeType: "application/x-ndjson", buffer: Buffer.from(text) });
}

/** A minimal, valid trace of a 2-token run whose texts are chosen by the test. */
function traceText(texts: [string, string], prompt: string, order: [number, number] = [0, 1]): string {
  const options = { decoder: "threshold", genLength: 2, blockSize: 2, steps: 2, remasking: "low_confidence", threshold: 0.9, factor: 1, delimiterThreshold: 0.3, delimiters: ["\n"], innerRule: "threshold", temperature: 0, seed: 0 };
  const step = (i: number) => ({
    type: "step",
    step: i,
    nfe: i + 1,
    block: [1, 3],
    blockStart: i === 0,
    committed: { positions: [1 + i], tokenIds: [10 + i], confidences: [0.9], texts: [texts[i]] },
    masked: { positions: i === 0 ? [2] : [], tokenIds: i === 0 ? [11] : [], confidences: i === 0 ? [0.5] : [] },
  });
  const result = { type: "result", text: texts.join(""), tokens: [10, 11], nfe: 2, blocks: [[1, 3]], stopReason: "length", promptLength: 1, ms: 1 };
  const header = { type: "header", version: 1, prompt, promptTokens: [prompt], options, model: "test" };
  return [header, step(order[0]), step(order[1]), result].map((line) => JSON.stringify(line)).join("\n") + "\n";
}

interface Sample {
  run: number;
  liveTensors: number;
  workerHeap: number | null;
  wasmMemory: number | null;
  pageHeap: number;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

// gc() in the page and the worker, so memory figures are live memory; a name for an insecure origin.
test.use({ browserArgs: ["--js-flags=--expose-gc", "--host-resolver-rules=MAP insecure.test 127.0.0.1"] });

test.describe("reliability of the production page", () => {
  test.describe.configure({ mode: "serial" });
  let checked: CheckedPage;
  const requests: string[] = [];

  test.beforeAll(async ({ browser, baseURL }) => {
    checked = await openCheckedPage(browser, "/", { baseURL, expectedErrors: provoked });
    checked.page.context().on("request", (request) => requests.push(request.url()));
  });
  test.afterAll(async () => {
    await checked?.page.context().close();
  });
  noteErrorsPerTest(() => checked);

  test("runs under a Content-Security-Policy of its own origin, which forbids eval", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    assert.match(policy ?? "", /default-src 'self'; script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(policy ?? "", /unsafe-inline|'unsafe-eval'/);
    // An inline script (what an injection would add) is blocked and reported as a violation.
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener("securitypolicyviolation", (event) => violations.push(event.effectiveDirective));
      const script = document.createElement("script");
      script.textContent = "window.__inlineRan = true";
      document.head.append(script);
      await new Promise((done) => setTimeout(done, 100));
      return { ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, violations };
    });
    assert.deepEqual(outcome, { ran: false, violations: ["script-src-elem"] });
  });

  test("rejects bad generation options with the engine's typed error, and empty or unusual prompts generate", async () => {
    const { page } = checked;
    await waitForModel(page, "wasm");
    await setPrompt(page, "Question: 2 + 3?\nAnswer:\n");
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ ...SHORT, genLength: 0 }, /^OptionError: genLength: must be an integer in \[1, \d+\], got 0$/],
      [{ ...SHORT, genLength: 2.5 }, /^OptionError: genLength: must be an integer/],
      [{ ...SHORT, genLength: 100000 }, /^OptionError: genLength: must be an integer in \[1, \d+\], got 100000$/],
      [{ ...SHORT, blockSize: 0 }, /^OptionError: blockSize: must be an integer in \[1, 8\], got 0$/],
      [{ ...SHORT, threshold: 1.5 }, /^OptionError: threshold: must be in \(0, 1\], got 1.5$/],
      [{ ...SHORT, threshold: "" }, /^OptionError: threshold: must be in \(0, 1\], got 0$/],
      [{ ...SHORT, temperature: -1 }, /^OptionError: temperature: must be a finite number >= 0, got -1$/],
      [{ ...SHORT, seed: 1.5 }, /^OptionError: seed: must be an integer/],
      [{ decoder: "fixed", genLength: 8, blockSize: 4, steps: 3, temperature: 0, seed: 0 }, /^OptionError: steps: must be a multiple of the number of blocks \(2/],
      [{ decoder: "adablock", genLength: 8, blockSize: 4, delimiterThreshold: -1, temperature: 0, seed: 0 }, /^OptionError: delimiterThreshold: must be >= 0/],
      [{ decoder: "adablock", genLength: 8, blockSize: 4, delimiterThreshold: "abc", temperature: 0, seed: 0 }, /^OptionError: delimiterThreshold: must be >= 0 .*got NaN$/],
      [{ decoder: "adablock", genLength: 8, blockSize: 4, delimiterThreshold: 0.3, delimiters: "zqxjv", temperature: 0, seed: 0 }, /^OptionError: delimiters: "zqxjv" is not a single token/],
    ];
    for (const [options, expected] of cases) {
      await setOptions(page, options);
      assert.match(await generateExpectingError(page), expected, JSON.stringify(options));
    }
    await setOptions(page, SHORT);
    await setPrompt(page, "word ".repeat(3000));
    assert.match(await generateExpectingError(page), /^OptionError: prompt: is \d+ tokens; the model's context is \d+/);
    for (const prompt of ["", "   \n ", "😀🚀 مرحبا שלום \u0000 e\u0301 \u202e"]) {
      await setPrompt(page, prompt);
      assert.equal(await generateExpectingError(page), "", JSON.stringify(prompt));
      assert.equal(await waitForRunEnd(page), "done");
    }
  });

  test("rejects trace files that are not JSON or have steps out of order, naming the line", async () => {
    const { page } = checked;
    await loadTrace(page, "garbage.jsonl", "this is not json\n");
    await page.waitForFunction(() => (document.querySelector("#trace-error")?.textContent ?? "") !== "");
    assert.match((await page.textContent("#trace-error")) ?? "", /^garbage\.jsonl: TraceError: trace line 1: is not a JSON object/);
    await loadTrace(page, "swapped.jsonl", traceText(["a", "b"], "p", [1, 0]));
    await page.waitForFunction(() => /swapped/.test(document.querySelector("#trace-error")?.textContent ?? ""));
    assert.match((await page.textContent("#trace-error")) ?? "", /TraceError: trace line 2: steps out of order: expected step 0, got 1/);
  });

  test("shows markup in token texts and prompts as text, never as HTML", async () => {
    const { page } = checked;
    const payload = '<img src=x onerror="window.__pwned=1">';
    await loadTrace(page, "markup.jsonl", traceText([payload, "<b>bold</b>"], "<script>window.__pwned=2</script>"));
    await page.waitForSelector('#replay-label[data-total="2"]', { state: "attached" });
    assert.equal(await page.locator("#replay img, #replay b, #replay script").count(), 0);
    assert.match((await page.textContent("#replay .output")) ?? "", /<img src=x onerror=/);
    assert.match((await page.textContent("#replay-label")) ?? "", /<script>/);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  });

  test("refuses a model URL that is not http(s) and keeps working", async () => {
    const { page } = checked;
    for (const url of ["javascript:alert(1)", "data:application/json,{}", "ftp://example.org/model/"]) {
      await loadModel(page, url, "wasm");
      await page.waitForFunction(() => (document.querySelector("#load-error")?.textContent ?? "") !== "", undefined, { timeout: 60_000 });
      assert.match((await page.textContent("#load-error")) ?? "", /^ModelLoadError: .*must be an http\(s\) URL/, url);
    }
    await loadModel(page, "./models/no-such-model/", "wasm");
    await page.waitForFunction(() => /HTTP 404/.test(document.querySelector("#load-error")?.textContent ?? ""), undefined, { timeout: 60_000 });
    await loadModel(page, EMBEDDED, "wasm");
    await waitForModel(page, "wasm");
  });

  test("reports a worker crash mid-run, restarts the worker and generates again", async () => {
    const { page } = checked;
    await setPrompt(page, "The");
    // One token per pass in a random order: the run is still going when the crash arrives (an early EOS is very unlikely).
    await setOptions(page, { decoder: "fixed", genLength: 128, blockSize: 128, steps: 128, remasking: "random", seed: 1 });
    await startRun(page);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>("#live")?.dataset.steps) >= 2, undefined, { timeout: RUN_TIMEOUT });
    const engine = page.workers().find((worker) => /engine\.worker/.test(worker.url()));
    assert.ok(engine, `the engine worker is among ${page.workers().map((w) => w.url()).join(", ")}`);
    await engine.evaluate(() => {
      setTimeout(() => {
        throw new Error("simulated worker crash");
      });
    });
    await page.waitForFunction(() => /WorkerCrashError/.test(document.querySelector("#run-error")?.textContent ?? ""), undefined, { timeout: 60_000 });
    assert.match((await page.textContent("#run-error")) ?? "", /^WorkerCrashError: the engine worker crashed: .*simulated worker crash.*restarted the engine/);
    assert.equal(await page.getAttribute("#live", "data-status"), "error");
    await waitForModel(page, "wasm");
    assert.equal(await page.getAttribute("#load-status", "data-source"), "cache");
    await setOptions(page, SHORT);
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
  });

  test("discards a cached model whose bytes changed and downloads it again", async () => {
    const { page } = checked;
    const corrupted = await page.evaluate(async () => {
      const cache = await caches.open("dllm-model-files-v1");
      // The graph WASM runs (int8), stored in parts: corrupt the first part's bytes.
      const key = (await cache.keys()).find((request) => request.url.endsWith("onnx/model_quantized.onnx?dllm-part=0"));
      if (!key) return false;
      const stored = (await cache.match(key))!;
      const bytes = new Uint8Array(await stored.arrayBuffer());
      bytes[bytes.length >> 1]! ^= 0xff;
      await cache.put(key, new Response(bytes, { headers: stored.headers }));
      return true;
    });
    assert.ok(corrupted, "the model was in Cache Storage");
    await loadModel(page, EMBEDDED, "wasm");
    await page.waitForFunction(() => /damaged/.test(document.querySelector("#load-notice")?.textContent ?? ""), undefined, { timeout: 120_000 });
    await waitForModel(page, "wasm");
    assert.match((await page.textContent("#load-notice")) ?? "", /cached onnx\/model_quantized\.onnx was damaged \(its SHA-256 does not match.*downloaded again/);
    assert.equal(await page.getAttribute("#load-status", "data-source"), "network");
    await startRun(page);
    assert.equal(await waitForRunEnd(page), "done");
  });

  test("soak: 100 generations after warm-up keep memory flat and leave no tensor undisposed", async () => {
    // 105 short generations on two busy cores: longer than the other tests.
    test.setTimeout(1_200_000);
    const { page } = checked;
    await setPrompt(page, "Question: Ben has 4 cups. He buys 3 more. How many cups does Ben have now?\nAnswer:\n");
    await setOptions(page, SHORT);
    const started = Date.now();
    // The loop runs inside the page, so the page heap measured is the page's own, not the test driver's.
    const samples = await page.evaluate(async (count): Promise<Sample[]> => {
      const live = document.querySelector<HTMLElement>("#live")!;
      const diagnostics = document.querySelector<HTMLElement>("#diagnostics")!;
      const generate = document.querySelector<HTMLButtonElement>("#generate")!;
      const gc = (globalThis as unknown as { gc: () => void }).gc;
      const taken: Sample[] = [];
      // (No named functions in here: a transpiler may wrap them in a helper the page does not have.)
      // Five warm-up runs first: the figures are for memory after warm-up.
      for (let run = -4; run <= count; run++) {
        const measured = Number(diagnostics.dataset.measured ?? 0);
        const previous = live.dataset.run;
        generate.click();
        await new Promise<void>((done) => {
          const timer = setInterval(() => {
            if (live.dataset.run !== previous && live.dataset.status !== "running" && Number(diagnostics.dataset.measured) > measured) {
              clearInterval(timer);
              done();
            }
          }, 5);
        });
        if (live.dataset.status !== "done") throw new Error(`run ${run} ended ${live.dataset.status}`);
        if (run < 1) continue;
        gc();
        const { liveTensors, jsHeap, wasmMemory } = diagnostics.dataset;
        taken.push({
          run,
          liveTensors: Number(liveTensors),
          workerHeap: jsHeap ? Number(jsHeap) : null,
          wasmMemory: wasmMemory ? Number(wasmMemory) : null,
          pageHeap: (performance as Performance & { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize,
        });
      }
      return taken;
    }, 100);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(samples.every((s) => s.liveTensors === 0), "no tensor left undisposed after any run");
    const first = samples.slice(0, 10);
    const last = samples.slice(-10);
    const figures: Record<string, { start: number; end: number; growth: number }> = {};
    for (const key of ["pageHeap", "workerHeap", "wasmMemory"] as const) {
      const startValues = first.map((s) => s[key]).filter((v) => v !== null);
      const endValues = last.map((s) => s[key]).filter((v) => v !== null);
      if (startValues.length === 0 || endValues.length === 0) continue;
      const start = mean(startValues);
      const end = mean(endValues);
      figures[key] = { start, end, growth: end / start - 1 };
    }
    console.log(`SOAK e2e: ${JSON.stringify({ generations: samples.length, seconds, liveTensorsAtEnd: samples.at(-1)!.liveTensors, figures })}`);
    assert.ok(figures.pageHeap && figures.wasmMemory, "page heap and WASM memory were readable");
    for (const [key, { growth }] of Object.entries(figures)) assert.ok(growth < 0.1, `${key} grew ${(growth * 100).toFixed(1)}% from the first tenth to the last`);
    assert.equal((await readRun(page)).status, "done");
  });

  test("fetched nothing but the page's own origin", ({ baseURL }) => {
    const origin = new URL(baseURL!).origin;
    // WASM loads the int8 graph.
    assert.ok(requests.some((url) => url.endsWith("onnx/model_quantized.onnx")), "worker requests are seen too");
    const foreign = requests.filter((url) => !url.startsWith("blob:") && !url.startsWith("data:") && new URL(url).origin !== origin);
    assert.deepEqual(foreign, []);
  });

  test("without Cache Storage (an insecure origin) loads the model in memory, says so, and generates", async ({ browser, staticURL }) => {
    const insecure = await openCheckedPage(browser, staticURL.replace("127.0.0.1", "insecure.test"));
    try {
      await waitForModel(insecure.page, "wasm");
      assert.equal(await insecure.page.evaluate(() => isSecureContext), false);
      assert.match((await insecure.page.textContent("#load-notice")) ?? "", /Cache Storage is unavailable here.*kept in memory only/);
      await setOptions(insecure.page, SHORT);
      await startRun(insecure.page);
      assert.equal(await waitForRunEnd(insecure.page), "done");
      assert.deepEqual(insecure.errors, []);
    } finally {
      await insecure.page.context().close();
    }
  });

  test("logged no console errors and threw nothing", () => {
    assert.deepEqual(checked.errors, []);
  });
});
