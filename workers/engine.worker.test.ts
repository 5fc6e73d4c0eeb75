/**
 * The worker's API in Node (no worker, no browser): onnxruntime-web's WASM backend, the model
 * folder over HTTP from a local server. Bad input, concurrency, cancellation and unloading
 * mid-run, as a page or library user would meet them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateOptions, StepEvent } from "../src/decoding/types.ts";
import { InferenceError, ModelLoadError, OptionError } from "../src/errors.ts";
import type { ServedFolder } from "../src/node/serve-folder.ts";
import { serveShippedModels } from "./testing.ts";
import { api } from "./engine.worker.ts";

/** One token per pass, so a run lasts long enough to be interrupted. */
const SLOW: Partial<GenerateOptions> = { decoder: "fixed", genLength: 32, blockSize: 32, steps: 32 };
const SHORT: Partial<GenerateOptions> = { decoder: "threshold", genLength: 8, blockSize: 8 };

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error("expected a rejection");
  },
  (error: unknown) => error,
);

describe("engine worker API", () => {
  let served: ServedFolder;
  let modelUrl: string;
  const load = (baseUrl = modelUrl, extra = {}) => api.load({ baseUrl, backend: "wasm", wasmThreads: 1, ...extra });

  beforeAll(async () => {
    served = await serveShippedModels();
    modelUrl = `${served.url}dllm-tiny/`;
  });
  afterAll(async () => {
    await served.close();
  });

  it("rejects generate and resolve before a model is loaded", async () => {
    expect(await failure(api.generate("hi", SHORT))).toBeInstanceOf(InferenceError);
    expect(await failure(api.resolve("hi", SHORT))).toMatchObject({ name: "InferenceError", message: /no model is loaded/ });
  });

  it("rejects model URLs that are not http(s), and names the file of a 404", async () => {
    for (const url of ["ftp://example.org/model/", "javascript:alert(1)", "data:text/plain,x", "file:///etc/"]) {
      const error = await failure(load(url));
      expect(error).toBeInstanceOf(ModelLoadError);
      expect((error as Error).message).toMatch(/must be an http\(s\) URL/);
    }
    const missing = await failure(load(`${served.url}no-such-model/`));
    expect(missing).toBeInstanceOf(ModelLoadError);
    expect((missing as Error).message).toMatch(/HTTP 404/);
  });

  it("rejects an unknown backend by name", async () => {
    const error = await failure(load(modelUrl, { backend: "cuda" }));
    expect(error).toMatchObject({ name: "OptionError", option: "backend" });
  });

  it("rejects a second load while one is loading, then loads in memory with a notice (no Cache Storage in Node)", async () => {
    const first = load();
    const second = await failure(load());
    expect(second).toMatchObject({ name: "InferenceError", message: /already loading/ });
    const report = await first;
    expect(report.backend.backend).toBe("wasm");
    expect(report.fromCache).toBe(false);
    expect(report.notices.join("\n")).toMatch(/Cache Storage is unavailable.*kept in memory only/);
    // Only the model folder was fetched.
    expect(served.requests.every((line) => / \/(dllm-tiny|no-such-model)\//.test(line))).toBe(true);
  });

  it("rejects a prompt that is not a string and options that are not an object", async () => {
    expect(await failure(api.generate(42 as unknown as string, SHORT))).toMatchObject({ name: "OptionError", option: "prompt" });
    expect(await failure(api.generate("hi", null as unknown as GenerateOptions))).toMatchObject({ name: "OptionError", option: "options" });
    expect(await failure(api.resolve("hi", { genLength: 0 }))).toMatchObject({ name: "OptionError", option: "genLength" });
  });

  it("rejects a second generate while one runs, and never interleaves them", async () => {
    const steps: StepEvent[] = [];
    const first = api.generate("Question: 2 + 3?\nAnswer:\n", SLOW, (event) => steps.push(event));
    const second = await failure(api.generate("x", SHORT));
    expect(second).toMatchObject({ name: "InferenceError", message: /already running/ });
    const result = await first;
    expect(result.stopReason).not.toBe("aborted");
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
    expect(steps).toHaveLength(result.nfe);
  });

  it("cancel() from a step stops before the next pass; the next generate works", async () => {
    for (const stopAt of [0, 1, 5]) {
      const result = await api.generate("The", SLOW, (event) => {
        if (event.step === stopAt) api.cancel();
      });
      expect(result.stopReason).toBe("aborted");
      expect(result.nfe).toBe(stopAt + 1);
    }
    const after = await api.generate("The", SHORT);
    expect(after.stopReason).not.toBe("aborted");
    expect(after.nfe).toBeGreaterThan(0);
  });

  it("cancel() at an arbitrary time stops within one pass of it", async () => {
    let seen = 0;
    let seenAtCancel = -1;
    const run = api.generate("The", SLOW, () => seen++);
    await new Promise((done) => setTimeout(done, 30));
    seenAtCancel = seen;
    api.cancel();
    const result = await run;
    expect(result.stopReason === "aborted" || seenAtCancel === result.nfe).toBe(true);
    expect(result.nfe).toBeLessThanOrEqual(seenAtCancel + 1);
  });

  it("a load() during a run fails that run with InferenceError; the new model then works", async () => {
    let reload: Promise<unknown> | undefined;
    const run = api.generate("The", SLOW, (event) => {
      if (event.step === 2) reload = load();
    });
    const error = await failure(run);
    expect(error).toBeInstanceOf(InferenceError);
    expect((error as Error).message).toMatch(/unloaded during the run/);
    await reload;
    const next = await api.generate("The", SHORT);
    expect(next.stopReason).not.toBe("aborted");
  });

  it("leaves no tensor behind and reports its memory", async () => {
    const diagnostics = api.diagnostics();
    expect(diagnostics.liveTensors).toBe(0);
    expect(diagnostics.tensorsSeen).toBeGreaterThan(0);
    expect(diagnostics.wasmMemoryBytes).toBeGreaterThan(0);
  });

  it("still rejects bad options by name after all that", async () => {
    const error = await failure(api.generate("hi", { ...SHORT, threshold: Number.NaN }));
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).option).toBe("threshold");
  });
});
