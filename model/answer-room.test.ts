import { describe, expect, it } from "vitest";
import { V2_EVAL_SEED, heldOutWordProblems, spacedTarget } from "../src/problems/word-problems.ts";
import { loadCodec } from "./data.ts";
import { ANSWER_LAYOUTS, answerRoom } from "./answer-room.ts";

describe("the room held-out answers need", () => {
  const codec = loadCodec("public/models/dllm-tiny");
  const problems = heldOutWordProblems("v2", V2_EVAL_SEED, 120);
  const total = (rows: Map<number, [number, number]>) => [...rows.values()].reduce((sum, [n]) => sum + n, 0);

  it("counts an answer as fitting when its tokens and one [EOS] fit L", () => {
    const [problem] = problems;
    const tokens = codec.encode(spacedTarget(problem!.target)).length;
    expect(total(answerRoom(codec, [problem!], spacedTarget, tokens + 1))).toBe(1);
    expect(total(answerRoom(codec, [problem!], spacedTarget, tokens))).toBe(0);
  });

  it("fits every compact answer in L = 64, and not every v1-layout one, whose long answers need 128", () => {
    expect(total(answerRoom(codec, problems, ANSWER_LAYOUTS.compact!, 64))).toBe(problems.length);
    const v1At64 = answerRoom(codec, problems, ANSWER_LAYOUTS.v1!, 64);
    expect(total(v1At64)).toBeLessThan(problems.length);
    // One to three steps always fit; the misses are the long answers.
    for (const steps of [1, 2, 3]) expect(v1At64.get(steps)?.[0]).toBe(v1At64.get(steps)?.[1]);
    expect(v1At64.get(6)?.[0]).toBeLessThan(v1At64.get(6)![1]);
    expect(total(answerRoom(codec, problems, ANSWER_LAYOUTS.v1!, 128))).toBe(problems.length);
  });
});
