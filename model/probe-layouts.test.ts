import { describe, expect, it } from "vitest";
import { generateProblems, EVAL_SEED } from "../src/problems/generate.ts";
import { loadCodec } from "./data.ts";
import { LAYOUTS, probeProblems } from "./probe-layouts.ts";

describe("the layout probe's problems", () => {
  it("mark each step line's result digits, in every layout, on the same problems", () => {
    const dir = "public/models/dllm-tiny";
    const codec = loadCodec(dir);
    const probes = probeProblems(dir, 6);
    const truth = generateProblems(EVAL_SEED, 6);
    expect(Object.keys(probes)).toEqual(Object.keys(LAYOUTS));
    for (const [name, problems] of Object.entries(probes)) {
      problems.forEach((problem, i) => {
        const results = [...truth[i]!.target.matchAll(/= (\d+)$/gm)].map((m) => m[1]);
        expect(problem.results.map((positions) => codec.decode(positions.map((at) => problem.ids[at]!))), name).toEqual(results);
        // The answer starts where the prompt alone ends (what the model sees is the question, unchanged).
        expect(problem.ids.slice(0, problem.promptLen)).toEqual(codec.encode(truth[i]!.prompt));
      });
    }
    // The layouts differ in length: compact is the shortest, the v1 layout the longest.
    const length = (name: string) => probes[name]![0]!.ids.length;
    expect(length("compact")).toBeLessThan(length("no space after the operator"));
    expect(length("no space after the operator")).toBeLessThan(length("spaced"));
  });
});
