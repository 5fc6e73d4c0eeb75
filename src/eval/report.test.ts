import { describe, expect, it } from "vitest";
import { comparePaired, evalJson, signTestPValue, wilsonInterval } from "./report.ts";
import { defaultPlan } from "./settings.ts";
import { cellResult } from "./testing.ts";

describe("evaluation report", () => {
  it("gives every figure per setting and B0 in the JSON", () => {
    const plan = defaultPlan({ settings: ["threshold", "adablock"], blockSizes: [8] });
    const json = evalJson([cellResult("threshold", 8, [true, false]), cellResult("adablock", 8, [true, true])], plan, { seed: 1234, count: 2, model: "m", ms: 1234.6 });
    expect(json.results.adablock!["8"]).toEqual({ accuracy: 1, correct: 2, problems: 2, nfePerToken: 0.5, tokensPerSecond: 100, meanBlockSize: 8, nfe: 20, tokens: 40, ms: 400 });
    expect(json.results.threshold!["8"]!.accuracy).toBe(0.5);
    expect(json).toMatchObject({ seed: 1234, count: 2, genLength: 64, blockSizes: [8], delimiterThreshold: 0.3, fixedSteps: 64, ms: 1235 });
    expect(json.settings.adablock!.label).toBe("+AdaBlock");
  });

  it("compares two settings on the same problems", () => {
    const cells = [cellResult("adablock", 8, [true, true, false, true]), cellResult("threshold", 8, [true, false, false, false])];
    expect(comparePaired(cells, "adablock", "threshold", 8)).toMatchObject({ difference: 0.5, onlyA: 2, onlyB: 0, pValue: 0.5 });
    expect(comparePaired(cells, "adablock", "fixed", 8)).toBeUndefined();
  });

  it("computes the exact sign test and Wilson intervals", () => {
    expect(signTestPValue(0, 0)).toBe(1);
    expect(signTestPValue(5, 10)).toBe(1);
    expect(signTestPValue(0, 10)).toBeCloseTo(2 / 1024, 10);
    expect(signTestPValue(10, 10)).toBeCloseTo(2 / 1024, 10);
    const [low, high] = wilsonInterval(80, 100);
    expect(low).toBeCloseTo(0.711, 3);
    expect(high).toBeCloseTo(0.867, 3);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
