/** All decoders on the shipped model in Node: the events must describe a consistent run. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel, type LoadedModel } from "../node/model.ts";
import { generateProblems, EVAL_SEED } from "../problems/generate.ts";
import { generate } from "./engine.ts";
import { runViolations } from "./invariants.ts";
import type { GenerateOptions, StepEvent } from "./types.ts";

let loaded: LoadedModel;
beforeAll(async () => {
  loaded = await loadModel();
});
afterAll(async () => {
  await loaded.model.dispose();
});

const prompt = generateProblems(EVAL_SEED, 1)[0]!.prompt;
const settings: Partial<GenerateOptions>[] = [
  { decoder: "fixed", genLength: 32, blockSize: 8, steps: 16 },
  { decoder: "fixed", genLength: 32, blockSize: 16, steps: 32, remasking: "random", seed: 3 },
  { decoder: "threshold", genLength: 48, blockSize: 8, threshold: 0.9 },
  { decoder: "factor", genLength: 48, blockSize: 16, factor: 1 },
  { decoder: "adablock", genLength: 64, blockSize: 16 },
  { decoder: "adablock", genLength: 64, blockSize: 8, innerRule: "factor", delimiters: ["\n", ".", ","] },
  { decoder: "adablock", genLength: 40, blockSize: 8, temperature: 0.8, seed: 11 },
];

describe("decoders on the shipped model", () => {
  for (const options of settings) {
    it(`${JSON.stringify(options)}: NFE = events, every position committed once, blocks tile`, async () => {
      const events: StepEvent[] = [];
      const result = await generate(loaded, prompt, options, { onStep: (e) => events.push(e) });
      expect(runViolations(events, result, options.genLength!, loaded.config.eosTokenId)).toEqual([]);
      expect(result.stopReason).not.toBe("aborted");
      if (options.decoder === "fixed" && result.stopReason === "length") expect(result.nfe).toBe(options.steps);
      if (options.decoder === "adablock") {
        const decisions = events.filter((e) => e.blockStart).map((e) => e.decision);
        expect(decisions).toHaveLength(result.blocks.length);
        expect(decisions.map((d) => d!.blockSize)).toEqual(result.blocks.map(([start, end]) => end - start));
      }
      expect(loaded.model.liveTensors).toBe(0);
    });
  }

  it("adablock with tau_D = Infinity gives threshold's tokens exactly", async () => {
    const base = { genLength: 48, blockSize: 8, threshold: 0.9 } as const;
    const a = await generate(loaded, prompt, { ...base, decoder: "threshold" });
    const b = await generate(loaded, prompt, { ...base, decoder: "adablock", delimiterThreshold: Infinity });
    expect(b.tokens).toEqual(a.tokens);
    expect(b.blocks).toEqual(a.blocks);
    expect(b.nfe).toBe(a.nfe);
  });

  it("a seed reproduces a sampled run", async () => {
    const options = { decoder: "threshold", genLength: 24, blockSize: 8, temperature: 1, seed: 5 } as const;
    const a = await generate(loaded, prompt, options);
    const b = await generate(loaded, prompt, options);
    expect(b.tokens).toEqual(a.tokens);
  });
});

describe("generated text", () => {
  it("continues the prompt with its spacing (the first token's space is kept)", async () => {
    const result = await generate(loaded, "The old man walked into the room and", { decoder: "threshold", genLength: 8, blockSize: 8 });
    const piece = loaded.codec.piece(result.tokens[0]!);
    expect(result.text.startsWith(" ")).toBe(piece.startsWith("\u2581"));
    expect(result.text).toBe(loaded.codec.decode([...loaded.codec.encode("The old man walked into the room and"), ...result.tokens]).slice("The old man walked into the room and".length));
  });
});
