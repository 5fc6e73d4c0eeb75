import { describe, expect, it } from "vitest";
import { createRandom } from "../util/random.ts";
import { selectFactor } from "./commit-factor.ts";
import { selectThreshold } from "./commit-threshold.ts";
import { selectTopK, tokensPerStep } from "./commit-top-k.ts";

describe("top-k (LLaDA)", () => {
  it("splits a block evenly over its steps with the remainder first", () => {
    expect(tokensPerStep(10, 4)).toEqual([3, 3, 2, 2]);
    expect(tokensPerStep(8, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(tokensPerStep(32, 2)).toEqual([16, 16]);
    expect(tokensPerStep(7, 3).reduce((a, b) => a + b)).toBe(7);
  });

  it("commits the k most confident, ties in position order", () => {
    const random = createRandom(1);
    expect(selectTopK([0.1, 0.9, 0.5, 0.9], 2, "low_confidence", random)).toEqual([1, 3]);
    expect(selectTopK([0.1, 0.9, 0.5, 0.7], 3, "low_confidence", random)).toEqual([1, 3, 2]);
    expect(selectTopK([0.2, 0.3], 5, "low_confidence", random)).toEqual([1, 0]);
  });

  it("ranks by a seeded random number with remasking=random", () => {
    const conf = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
    const a = selectTopK(conf, 3, "random", createRandom(7));
    expect(selectTopK(conf, 3, "random", createRandom(7))).toEqual(a);
    const draws = new Set(Array.from({ length: 20 }, (_, s) => selectTopK(conf, 3, "random", createRandom(s)).join()));
    expect(draws.size).toBeGreaterThan(1);
  });
});

describe("threshold (Fast-dLLM)", () => {
  it("commits every position at or above tau", () => {
    expect(selectThreshold([0.95, 0.2, 0.9, 0.89], 0.9)).toEqual([0, 2]);
  });
  it("commits the single most confident when none reaches tau", () => {
    expect(selectThreshold([0.3, 0.6, 0.5], 0.9)).toEqual([1]);
  });
  it("tau = 1 is one token per pass", () => {
    expect(selectThreshold([0.99, 0.999, 0.5], 1)).toEqual([1]);
  });
  it("selects nothing from nothing", () => {
    expect(selectThreshold([], 0.9)).toEqual([]);
  });
});

describe("factor (Fast-dLLM)", () => {
  it("commits the longest prefix with c(n) >= 1 - f/(n+1)", () => {
    // f = 1: bounds 0.5, 0.667, 0.75, 0.8 for n = 1..4.
    expect(selectFactor([0.7, 0.95, 0.76, 0.1], 1)).toEqual([1, 2]); // 0.7 < 0.75 stops the prefix
    expect(selectFactor([0.79, 0.95, 0.9, 0.85], 1)).toEqual([1, 2, 3]);
    expect(selectFactor([0.81, 0.95, 0.9, 0.85], 1)).toEqual([1, 2, 3, 0]);
  });
  it("always commits at least the most confident", () => {
    expect(selectFactor([0.1, 0.3, 0.2], 1)).toEqual([1]);
  });
  it("a larger factor commits more", () => {
    expect(selectFactor([0.6, 0.6, 0.6], 2).length).toBe(3);
    expect(selectFactor([0.6, 0.6, 0.6], 0.5).length).toBe(1);
  });
});
