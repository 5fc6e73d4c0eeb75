/**
 * The worker's band profile (the paper's averaged volatility band) in Node, on the shipped
 * model: it averages exactly the runs it makes, reports progress, stops on cancel() and
 * refuses bad requests by name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GenerateOptions, StepEvent } from "../src/decoding/types.ts";
import { BandAverager, binCount } from "../src/eval/volatility.ts";
import type { ServedFolder } from "../src/node/serve-folder.ts";
import { serveShippedModels } from "./testing.ts";
import { EVAL_SEED, generateProblems } from "../src/problems/generate.ts";
import { api } from "./engine.worker.ts";
import type { BandProfileProgress } from "./api.ts";

const OPTIONS: Partial<GenerateOptions> = { decoder: "adablock", genLength: 32, blockSize: 8, threshold: 0.9, delimiterThreshold: 0.3 };

const failure = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error("expected a rejection");
  },
  (error: unknown) => error,
);

describe("engine worker: band profile", () => {
  let served: ServedFolder;

  beforeAll(async () => {
    served = await serveShippedModels();
  });
  afterAll(async () => {
    await served.close();
  });

  it("is refused before a model is loaded", async () => {
    expect(await failure(api.bandProfile({ count: 1, options: OPTIONS }))).toMatchObject({ name: "InferenceError", message: /no model is loaded/ });
  });

  it("averages exactly the held-out runs it makes, with progress after each", async () => {
    await api.load({ baseUrl: `${served.url}dllm-tiny/`, backend: "wasm", wasmThreads: 1 });
    const progress: BandProfileProgress[] = [];
    const profile = await api.bandProfile({ count: 3, options: OPTIONS, bins: 8 }, (p) => progress.push(p));
    expect(progress).toEqual([1, 2, 3].map((done) => ({ done, total: 3 })));
    expect(profile).toMatchObject({ problems: 3, requested: 3, stopped: false, bins: 8 });

    // The same three problems, run through generate with the band drawn, averaged here.
    const averager = new BandAverager(binCount(32, 8));
    for (const problem of generateProblems(EVAL_SEED, 3)) {
      const { promptLength } = await api.resolve(problem.prompt, OPTIONS);
      const run = averager.run(promptLength, 32);
      const steps: StepEvent[] = [];
      await api.generate(problem.prompt, OPTIONS, (event) => steps.push(event));
      for (const event of steps) run.observe(event);
      run.finish();
    }
    expect(profile).toEqual(averager.profile(3, false));
    // Every problem starts at 0 % decoded, and the band drew every masked row: no gaps there.
    expect(profile.curves[0]!.problems).toBe(3);
    expect(profile.curves[0]!.counts).toEqual(Array(8).fill(3 * 4));
  });

  it("stops on cancel() with the problems finished so far", async () => {
    const profile = await api.bandProfile({ count: 4, options: OPTIONS }, (p) => {
      if (p.done === 1) api.cancel();
    });
    expect(profile).toMatchObject({ problems: 1, requested: 4, stopped: true });
    // The engine is free again.
    expect((await api.generate("The", { decoder: "threshold", genLength: 8, blockSize: 8 })).nfe).toBeGreaterThan(0);
  });

  it("is refused while a generation runs, and a generation while it runs", async () => {
    const run = api.generate("The", { decoder: "fixed", genLength: 16, blockSize: 16, steps: 16 });
    expect(await failure(api.bandProfile({ count: 1, options: OPTIONS }))).toMatchObject({ name: "InferenceError", message: /already running/ });
    await run;
    const profile = api.bandProfile({ count: 1, options: OPTIONS });
    expect(await failure(api.generate("The", OPTIONS))).toMatchObject({ name: "InferenceError", message: /already running/ });
    expect((await profile).problems).toBe(1);
  });

  it("refuses a bad count, bin count or option by name", async () => {
    for (const count of [0, 1.5, 501, "3"]) {
      expect(await failure(api.bandProfile({ count: count as number, options: OPTIONS }))).toMatchObject({ name: "OptionError", option: "count" });
    }
    expect(await failure(api.bandProfile({ count: 1, options: OPTIONS, bins: 0 }))).toMatchObject({ name: "OptionError", option: "bins" });
    expect(await failure(api.bandProfile({ count: 1, options: { ...OPTIONS, genLength: 0 } }))).toMatchObject({ name: "OptionError", option: "genLength" });
  });
});
