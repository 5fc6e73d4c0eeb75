import { describe, expect, it } from "vitest";
import { resolveOptions } from "../decoding/options.ts";
import { fakeEngine } from "../decoding/testing.ts";
import { cellOptions, checkPlan, defaultPlan, parseBlockSizes, parseSettings, planCells, SETTING_NAMES } from "./settings.ts";

describe("evaluation settings", () => {
  const plan = defaultPlan();

  it("are the paper's rows: vanilla = tau 1, threshold = tau 0.9, +adablock = 0.9 with tau_D 0.3, fixed = top-k with L steps", () => {
    expect(cellOptions({ setting: "vanilla", blockSize: 8 }, plan)).toMatchObject({ decoder: "threshold", threshold: 1, blockSize: 8, genLength: 64 });
    expect(cellOptions({ setting: "threshold", blockSize: 8 }, plan)).toMatchObject({ decoder: "threshold", threshold: 0.9 });
    expect(cellOptions({ setting: "adablock", blockSize: 16 }, plan)).toMatchObject({
      decoder: "adablock",
      threshold: 0.9,
      innerRule: "threshold",
      delimiterThreshold: 0.3,
      delimiters: ["\n"],
      blockSize: 16,
    });
    expect(cellOptions({ setting: "fixed", blockSize: 16 }, plan)).toMatchObject({ decoder: "fixed", steps: 64, remasking: "low_confidence" });
    expect(cellOptions({ setting: "cache", blockSize: 8 }, plan)).toEqual({ ...cellOptions({ setting: "threshold", blockSize: 8 }, plan), cache: "dual" });
    expect(cellOptions({ setting: "adablock+cache", blockSize: 8 }, plan)).toEqual({ ...cellOptions({ setting: "adablock", blockSize: 8 }, plan), cache: "dual" });
    for (const setting of ["vanilla", "threshold", "adablock", "fixed"] as const) expect(cellOptions({ setting, blockSize: 8 }, plan).cache).toBeUndefined();
    for (const setting of SETTING_NAMES) expect(cellOptions({ setting, blockSize: 4 }, plan).temperature).toBe(0);
  });

  it("give options the engine accepts for every default cell", () => {
    const engine = fakeEngine(() => new Float32Array(16));
    for (const cell of planCells(plan)) expect(() => resolveOptions(cellOptions(cell, plan), engine, 10)).not.toThrow();
  });

  it("cross settings with block sizes row by row", () => {
    const cells = planCells(defaultPlan({ settings: ["threshold", "adablock"], blockSizes: [8, 16] }));
    expect(cells).toEqual([
      { setting: "threshold", blockSize: 8 },
      { setting: "threshold", blockSize: 16 },
      { setting: "adablock", blockSize: 8 },
      { setting: "adablock", blockSize: 16 },
    ]);
  });

  it("parse lists in the paper's row order, accepting +adablock", () => {
    expect(parseSettings("fixed,+adablock, vanilla")).toEqual(["vanilla", "adablock", "fixed"]);
    expect(parseSettings("+adablock+cache,threshold,+cache")).toEqual(["threshold", "cache", "adablock+cache"]);
    expect(() => parseSettings("topk")).toThrow(/decoders.*"topk"/);
    expect(() => parseSettings(",")).toThrow(/at least one/);
    expect(parseBlockSizes("32,8,16,8")).toEqual([8, 16, 32]);
    expect(() => parseBlockSizes("8,x")).toThrow(/"x"/);
    expect(() => parseBlockSizes("0")).toThrow(/>= 1/);
  });

  it("reject block sizes that do not fit the generation length", () => {
    expect(() => checkPlan(defaultPlan({ blockSizes: [128] }))).toThrow(/larger than the generation length 64/);
    expect(() => checkPlan(defaultPlan({ blockSizes: [12] }))).toThrow(/must divide.*fixed/);
    expect(() => checkPlan(defaultPlan({ blockSizes: [12], settings: ["adablock"] }))).not.toThrow();
  });
});
