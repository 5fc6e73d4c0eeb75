import { describe, expect, it } from "vitest";
import type { GenerateOptions, GenerateResult } from "../decoding/types.ts";
import type { Problem } from "../problems/generate.ts";
import { runEval, type EvalProgress } from "./run.ts";
import { defaultPlan } from "./settings.ts";

const problems: Problem[] = [1, 2, 3].map((answer) => ({ prompt: `q${answer}`, target: `#### ${answer}`, answer }));

function result(text: string, nfe: number, tokens: number, blocks: [number, number][], stopReason: GenerateResult["stopReason"] = "eos"): GenerateResult {
  return { text, tokens: Array.from({ length: tokens }, () => 5), nfe, blocks, stopReason, promptLength: 2, ms: 10 };
}

describe("runEval", () => {
  const plan = defaultPlan({ settings: ["threshold", "adablock"], blockSizes: [4, 8] });

  it("runs problem by problem over all cells, scores exact match, and sums the cost figures", async () => {
    const calls: string[] = [];
    const generateFn = async (prompt: string, options: Partial<GenerateOptions>): Promise<GenerateResult> => {
      calls.push(`${prompt}:${options.decoder}/${options.blockSize}`);
      // AdaBlock answers right, threshold right only on q1; blocks of 4 then 2.
      const right = options.decoder === "adablock" || prompt === "q1";
      return result(right ? `x\n#### ${prompt.slice(1)}` : "#### 99", 4, 6, [[2, 6], [6, 8]]);
    };
    const progress: EvalProgress[] = [];
    const cells = await runEval(problems, plan, generateFn, { onProgress: (p) => progress.push(p), now: () => progress.length * 100 });
    expect(calls.slice(0, 4)).toEqual(["q1:threshold/4", "q1:threshold/8", "q1:adablock/4", "q1:adablock/8"]);
    expect(calls).toHaveLength(12);
    const threshold4 = cells.find((c) => c.setting === "threshold" && c.blockSize === 4)!;
    expect(threshold4.correct).toEqual([true, false, false]);
    // "#### 99" for q2, q3: no step lines (nor in the target), the wrong final number.
    expect(threshold4.faults).toEqual(["correct", "final-line", "final-line"]);
    expect(threshold4.summary).toMatchObject({ problems: 3, correct: 1, nfe: 12, tokens: 18, meanBlockSize: 3, ms: 30 });
    expect(threshold4.summary.nfePerToken).toBeCloseTo(12 / 18);
    expect(cells.find((c) => c.setting === "adablock" && c.blockSize === 8)!.summary.accuracy).toBe(1);
    expect(progress.map((p) => p.done)).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(progress.at(-1)).toMatchObject({ total: 12 });
    expect(progress[3]!.cells.every((c) => c.summary.problems === 1)).toBe(true);
  });

  it("stops on abort and does not score an aborted generation", async () => {
    const controller = new AbortController();
    let calls = 0;
    const generateFn = async (): Promise<GenerateResult> => {
      calls++;
      if (calls === 6) return result("#### 2", 1, 1, [[2, 3]], "aborted");
      return result("#### 1", 2, 2, [[2, 4]]);
    };
    const cells = await runEval(problems, plan, generateFn, { signal: controller.signal });
    expect(calls).toBe(6);
    expect(cells.map((c) => c.summary.problems)).toEqual([2, 1, 1, 1]);

    controller.abort();
    const none = await runEval(problems, plan, generateFn, { signal: controller.signal });
    expect(none.every((c) => c.summary.problems === 0 && c.summary.accuracy === 0)).toBe(true);
  });
});
