/**
 * Bad input at the engine API (generate / resolveOptions): each case is rejected before any
 * forward pass with an OptionError naming the option and what it accepts; the messages here
 * are the ones docs/reliability.md quotes. Blank and unusual-Unicode prompts are accepted.
 */
import { describe, expect, it } from "vitest";
import { OptionError } from "../errors.ts";
import { generate } from "./engine.ts";
import { EOS, fakeEngine, row } from "./testing.ts";
import type { GenerateOptions } from "./types.ts";

const engine = fakeEngine(() => row(16, { 6: 9 }), { maxSequenceLength: 40 });
const BASE: Partial<GenerateOptions> = { decoder: "threshold", genLength: 8, blockSize: 8 };

async function rejection(prompt: unknown, options: unknown): Promise<OptionError> {
  const before = engine.model.passes;
  const error = await generate(engine, prompt as string, options as Partial<GenerateOptions>).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OptionError);
  expect(engine.model.passes).toBe(before);
  return error as OptionError;
}

describe("engine API: bad options are OptionErrors naming the option", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["genLength NaN", { genLength: Number.NaN }, "genLength: must be an integer in [1, 38], got NaN"],
    ["genLength Infinity", { genLength: Infinity }, "genLength: must be an integer in [1, 38], got Infinity"],
    ["genLength as a string", { genLength: "8" }, "genLength: must be an integer in [1, 38], got 8"],
    ["genLength huge", { genLength: 1e9 }, "genLength: must be an integer in [1, 38], got 1000000000"],
    ["blockSize larger than the generation", { blockSize: 9 }, "blockSize: must be an integer in [1, 8], got 9"],
    ["steps fractional (fixed)", { decoder: "fixed", blockSize: 4, steps: 2.5 }, "steps: must be an integer in [1, 8], got 2.5"],
    ["threshold negative", { threshold: -0.5 }, "threshold: must be in (0, 1], got -0.5"],
    ["factor zero", { factor: 0 }, "factor: must be a finite number > 0, got 0"],
    ["tau_D NaN", { delimiterThreshold: Number.NaN }, "delimiterThreshold: must be >= 0 (Infinity = fixed blocks), got NaN"],
    ["delimiter empty string", { delimiters: [""] }, 'delimiters: must be a non-empty list of token strings, got [""]'],
    ["delimiters not a list", { delimiters: "\n" }, 'delimiters: must be a non-empty list of token strings, got "\\n"'],
    ["temperature Infinity", { temperature: Infinity }, "temperature: must be a finite number >= 0, got Infinity"],
    ["seed negative", { seed: -1 }, "seed: must be an integer in [0, 4294967295], got -1"],
    ["remasking unknown", { decoder: "fixed", remasking: "entropy" }, "remasking: must be one of low_confidence, random, got entropy"],
    ["innerRule unknown", { decoder: "adablock", innerRule: "top-k" }, "innerRule: must be one of threshold, factor, got top-k"],
  ];
  for (const [name, options, message] of cases) {
    it(name, async () => {
      expect((await rejection("ab", { ...BASE, ...options })).message).toBe(message);
    });
  }

  it("options that are not an object", async () => {
    expect((await rejection("ab", null)).message).toBe("options: must be an object of generation options, got null");
    expect((await rejection("ab", [8])).message).toBe("options: must be an object of generation options, got an array");
  });

  it("a prompt that is not a string", async () => {
    expect((await rejection(undefined, BASE)).message).toBe("prompt: must be a string, got undefined");
    expect((await rejection(42, BASE)).message).toBe("prompt: must be a string, got number");
  });
});

describe("engine API: prompts that are accepted", () => {
  for (const prompt of ["", "   ", "\n\n"]) {
    it(`blank prompt ${JSON.stringify(prompt)} generates`, async () => {
      const result = await generate(engine, prompt, BASE);
      expect(result.stopReason).not.toBe("aborted");
      expect(result.tokens.length + (result.stopReason === "eos" ? 1 : 0)).toBeGreaterThan(0);
    });
  }
  it("unusual Unicode (emoji, right-to-left, NUL, combining marks) is encoded, not rejected", async () => {
    const result = await generate(engine, "😀 مرحبا \u0000 e\u0301 \u202e", { ...BASE, genLength: 4, blockSize: 4 });
    expect(result.tokens).toHaveLength(4);
    expect(result.tokens).not.toContain(EOS);
  });
});
