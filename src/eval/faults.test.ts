import { describe, expect, it } from "vitest";
import { emptyTally, summarize } from "../problems/evaluate.ts";
import type { AnswerFault } from "../problems/diagnose.ts";
import { faultCounts, faultMarkdown } from "./faults.ts";
import type { CellResult } from "./run.ts";
import type { SettingName } from "./settings.ts";

function cell(setting: SettingName, blockSize: number, faults: AnswerFault[]): CellResult {
  const correct = faults.map((fault) => fault === "correct");
  const right = correct.filter(Boolean).length;
  return { setting, blockSize, options: {}, correct, faults, summary: summarize({ ...emptyTally(), problems: faults.length, correct: right, nfe: 10, tokens: 10, ms: 1, blocks: 1, blockTokens: 10 }) };
}

describe("fault tables", () => {
  // Out of table order on purpose: rows follow the settings' order, then B0.
  const cells = [
    cell("adablock", 16, ["correct", "copy", "copy", "arithmetic"]),
    cell("threshold", 16, ["arithmetic", "layout", "correct", "correct"]),
    cell("adablock", 8, ["step-count", "correct", "copy", "carry"]),
  ];

  it("counts each cell's first faults, every fault present", () => {
    const counts = faultCounts(cells);
    expect(counts.adablock!["16"]).toEqual({ correct: 1, layout: 0, copy: 2, carry: 0, arithmetic: 1, "step-count": 0, "final-line": 0 });
    expect(counts.adablock!["8"]!.carry).toBe(1);
    expect(counts.threshold!["16"]!.layout).toBe(1);
  });

  it("writes a row per cell in table order, and what each fault means", () => {
    const lines = faultMarkdown(cells).split("\n");
    expect(lines[0]).toBe("| setting | B0 | correct | layout | copy | carry | arithmetic | step-count | final-line |");
    expect(lines.slice(2, 5)).toEqual([
      "| threshold 0.9 | 16 | 2 | 1 | 0 | 0 | 1 | 0 | 0 |",
      "| +AdaBlock | 8 | 1 | 0 | 1 | 1 | 0 | 1 | 0 |",
      "| +AdaBlock | 16 | 1 | 0 | 2 | 0 | 1 | 0 | 0 |",
    ]);
    expect(lines).toContain("- *arithmetic*: right operands, wrong result");
  });
});
