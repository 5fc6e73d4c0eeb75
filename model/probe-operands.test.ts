import { describe, expect, it } from "vitest";
import { V2_EVAL_SEED, heldOutWordProblems } from "../src/problems/word-problems.ts";
import { loadCodec } from "./data.ts";
import { operandProblems, operandSources } from "./probe-operands.ts";

const line = (left: number, op: "+" | "-" | "*" | "/", right: number, result: number) => ({ left, op, right, result });

describe("the operand probe", () => {
  it("tells a rate's added value, before the rate in the question, from numbers taken in order (the two-line layout)", () => {
    const prompt = "Question: Ana had 27 cups. She bought 10 boxes of 18 cups each. She gave 5 away. Then she doubled them.";
    const steps = [line(10, "*", 18, 180), line(180, "+", 27, 207), line(207, "-", 5, 202), line(202, "*", 2, 404)];
    expect(operandSources({ prompt, steps })).toEqual(["question", "question", "last result", "question, earlier", "last result", "question", "last result", "unwritten"]);
    // A rate after another step adds the value two lines up.
    const later = [line(27, "-", 5, 22), line(10, "*", 18, 180), line(180, "+", 22, 202)];
    expect(operandSources({ prompt: "Question: Ana had 27 cups. She gave 5 away. She bought 10 boxes of 18 cups each.", steps: later })).toEqual([
      "question", "question", "question", "question", "last result", "older result",
    ]);
  });

  it("takes a rate's line's running value, then its factors, in the one-line layout", () => {
    const prompt = "Question: Ana had 27 cups. She gave 5 away. She bought 10 boxes of 18 cups each.";
    const steps = [line(27, "-", 5, 22), { ...line(10, "*", 18, 180), inline: true as const }, line(22, "+", 180, 202)];
    expect(operandSources({ prompt, steps })).toEqual(["question", "question", "last result", "question", "question"]);
  });

  it("marks each operand's digits in the answer, on the held-out v2mid problems", () => {
    const dir = "public/models/dllm-tiny";
    const codec = loadCodec(dir);
    const probes = operandProblems(dir, 40);
    const truth = heldOutWordProblems("v2mid", V2_EVAL_SEED, 40);
    probes.forEach((probe, i) => {
      // A rate's line takes its running value, then its factors.
      const steps = truth[i]!.steps;
      const operands = steps.flatMap((s, k) => (s.inline ? [steps[k + 1]!.left, s.left, s.right] : steps[k - 1]?.inline ? [] : [s.left, s.right]).map(String));
      expect(probe.operands.map((o) => codec.decode(o.positions.map((at) => probe.ids[at]!)))).toEqual(operands);
      expect(probe.ids.slice(0, probe.promptLen)).toEqual(codec.encode(truth[i]!.prompt));
      expect(probe.rate).toBe(truth[i]!.categories.shapes.includes("rate"));
    });
  });
});
