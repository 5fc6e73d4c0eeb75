/**
 * Randomized runs (seeded, so failures reproduce): random valid options against random logits
 * on a fake model, and against the shipped model; every run must satisfy the run invariants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type LoadedModel } from "../node/model.ts";
import { createRandom, type Random } from "../util/random.ts";
import { generate, type EngineModel } from "./engine.ts";
import { runViolations } from "./invariants.ts";
import { DECODERS } from "./options.ts";
import { EOS, FAKE_PIECES, fakeEngine } from "./testing.ts";
import type { GenerateOptions, StepEvent } from "./types.ts";

function randomOptions(r: Random, maxGenLength: number): Partial<GenerateOptions> {
  const decoder = r.pick(DECODERS);
  const genLength = r.int(1, maxGenLength);
  let blockSize = r.int(1, genLength);
  let steps = r.int(1, genLength);
  if (decoder === "fixed") {
    const divisors = Array.from({ length: genLength }, (_, i) => i + 1).filter((d) => genLength % d === 0);
    blockSize = r.pick(divisors);
    const blocks = genLength / blockSize;
    steps = blocks * r.int(1, blockSize);
  }
  return {
    decoder,
    genLength,
    blockSize,
    steps,
    remasking: r.pick(["low_confidence", "random"] as const),
    threshold: r.pick([0.3, 0.7, 0.9, 1]),
    factor: r.pick([0.5, 1, 2]),
    delimiterThreshold: r.pick([0, 0.1, 0.3, 0.9, Infinity]),
    innerRule: r.pick(["threshold", "factor"] as const),
    temperature: r.pick([0, 0, 0.5, 1]),
    seed: r.int(0, 1000),
  };
}

async function checkedRun(engine: EngineModel, prompt: string, options: Partial<GenerateOptions>, abortAfter?: number) {
  const events: StepEvent[] = [];
  const controller = new AbortController();
  const result = await generate(engine, prompt, options, {
    signal: controller.signal,
    onStep: (e) => {
      events.push(e);
      if (abortAfter !== undefined && e.step === abortAfter) controller.abort();
    },
  });
  return { result, violations: runViolations(events, result, options.genLength!, engine.config.eosTokenId) };
}

describe("property: random options on random logits (fake model)", () => {
  it("300 runs keep every invariant", async () => {
    const r = createRandom(2026);
    for (let run = 0; run < 300; run++) {
      const noiseSeed = r.int(0, 1e9);
      const eosBias = r.pick([-5, 0, 2]);
      // Logits depend on (pass, position) only through a seeded hash: random but reproducible.
      const engine = fakeEngine((_, position, pass) => {
        const g = createRandom(noiseSeed ^ Math.imul(position + 1, 2654435761) ^ Math.imul(pass + 1, 40503));
        const row = Float32Array.from({ length: FAKE_PIECES.length }, () => g.next() * 6 - 3);
        row[EOS]! += eosBias;
        return row;
      });
      const options = randomOptions(r, 24);
      const abortAfter = r.next() < 0.1 ? r.int(0, 5) : undefined;
      const { result, violations } = await checkedRun(engine, "ab".slice(0, r.int(0, 2)), options, abortAfter);
      expect({ run, options, violations }).toEqual({ run, options, violations: [] });
      expect(["length", "eos", "aborted"]).toContain(result.stopReason);
      expect(result.nfe).toBe(engine.model.passes);
      // A cancel during pass k stops before pass k + 1: the partial result comes within one pass.
      if (result.stopReason === "aborted") expect(result.nfe).toBe(abortAfter! + 1);
    }
  });
});

describe("property: random options on the shipped model", () => {
  let loaded: LoadedModel;
  beforeAll(async () => {
    loaded = await loadModel();
  });
  afterAll(async () => {
    await loaded.model.dispose();
  });

  it("30 runs (some cancelled, some with unusual Unicode prompts) keep every invariant and leave no tensor behind", async () => {
    const r = createRandom(7);
    const prompts = ["", "  \n", "The", "😀 مرحبا שלום \u0000 e\u0301", "Question: Ben has 4 cups. He buys 3 more. How many cups does Ben have now?\nAnswer:\n"];
    for (let run = 0; run < 30; run++) {
      const options = randomOptions(r, 20);
      const abortAfter = run % 5 === 4 ? r.int(0, 3) : undefined;
      const { result, violations } = await checkedRun(loaded, r.pick(prompts), options, abortAfter);
      expect({ run, options, violations }).toEqual({ run, options, violations: [] });
      if (abortAfter === undefined) expect(result.stopReason).not.toBe("aborted");
      else if (result.stopReason === "aborted") expect(result.nfe).toBe(abortAfter + 1);
    }
    expect(loaded.model.liveTensors).toBe(0);
  });
});
