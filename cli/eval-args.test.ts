import { describe, expect, it } from "vitest";
import { OptionError } from "../src/errors.ts";
import { EVAL_SEED } from "../src/problems/generate.ts";
import { V2_EVAL_SEED } from "../src/problems/word-problems.ts";
import { parseEvalArgs } from "./eval-args.ts";

describe("npm run eval flags", () => {
  it("default to all settings, B0 4..32, L = 64, the held-out seed, 200 problems, steps = L", () => {
    const args = parseEvalArgs([]);
    expect(args).toMatchObject({ seed: EVAL_SEED, count: 200, json: false, model: undefined, out: undefined });
    expect(args.plan).toEqual({ settings: ["vanilla", "threshold", "adablock", "cache", "adablock+cache", "fixed"], blockSizes: [4, 8, 16, 32], genLength: 64, delimiterThreshold: 0.3, fixedSteps: 64 });
  });

  it("parse every flag", () => {
    const args = parseEvalArgs(["--decoders", "threshold,+adablock", "--block-sizes", "8,16,32", "--gen-length", "96", "--seed", "7", "--count", "20", "--model", "m", "--baseline", "b", "--json", "--out", "o", "--delimiter-threshold", "Infinity"]);
    expect(args).toMatchObject({ seed: 7, count: 20, model: "m", baseline: "b", json: true, out: "o" });
    expect(args.plan).toEqual({ settings: ["threshold", "adablock"], blockSizes: [8, 16, 32], genLength: 96, delimiterThreshold: Infinity, fixedSteps: 96 });
    expect(parseEvalArgs(["--steps", "32"]).plan.fixedSteps).toBe(32);
  });

  it("name the flag in errors", () => {
    const message = (argv: string[]): string => {
      try {
        parseEvalArgs(argv);
      } catch (error) {
        expect(error).toBeInstanceOf(OptionError);
        return (error as Error).message;
      }
      throw new Error("no error");
    };
    expect(message(["--count", "0"])).toMatch(/^--count: must be an integer >= 1/);
    expect(message(["--count", "2.5"])).toMatch(/^--count/);
    expect(message(["--decoders", "greedy"])).toMatch(/^--decoders/);
    expect(message(["--block-sizes", "12"])).toMatch(/^--block-sizes: 12 must divide/);
    expect(message(["--delimiter-threshold=-1"])).toMatch(/^--delimiter-threshold/);
    expect(message(["--frobnicate"])).toMatch(/^arguments/);
    expect(message(["--dtype", "int3"])).toMatch(/^--dtype: must be one of fp32, fp16, q4f16, q8, q4, got int3/);
  });

  it("take the problem set, with its own held-out seed", () => {
    expect(parseEvalArgs([]).set).toBe("v1");
    expect(parseEvalArgs(["--set", "v2"])).toMatchObject({ set: "v2", seed: V2_EVAL_SEED });
    expect(parseEvalArgs(["--set", "v2", "--seed", "9"])).toMatchObject({ set: "v2", seed: 9 });
    expect(parseEvalArgs(["--set", "v2easy"])).toMatchObject({ set: "v2easy", seed: V2_EVAL_SEED });
    expect(parseEvalArgs(["--set", "v2mid"])).toMatchObject({ set: "v2mid", seed: V2_EVAL_SEED });
    expect(() => parseEvalArgs(["--set", "v3"])).toThrow(/^--set: must be one of v1, v2, v2easy, v2mid, got "v3"/);
  });

  it("take the graph's dtype", () => {
    expect(parseEvalArgs(["--dtype", "q8"]).dtype).toBe("q8");
    expect(parseEvalArgs([]).dtype).toBeUndefined();
  });
});
