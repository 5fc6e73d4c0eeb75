import { describe, expect, it } from "vitest";
import { emptyTally, summarize } from "../problems/evaluate.ts";
import { canvasLengthTable, intervalTable, pairedComparisonTable } from "./reading.ts";
import type { CellResult } from "./run.ts";
import type { SettingName } from "./settings.ts";

function cell(setting: SettingName, blockSize: number, correct: boolean[], nfe: number, blockTokens: number): CellResult {
  const right = correct.filter(Boolean).length;
  return { setting, blockSize, options: {}, correct, faults: correct.map((ok) => (ok ? "correct" : "arithmetic")), summary: summarize({ ...emptyTally(), problems: correct.length, correct: right, nfe, tokens: 100, ms: 1, blocks: 10, blockTokens }) };
}

describe("reading tables", () => {
  const cells = [
    cell("threshold", 8, [true, false, false, true], 40, 80),
    cell("adablock", 8, [true, true, true, false], 35, 95),
    cell("fixed", 8, [false, false, false, false], 100, 80),
  ];

  it("compares AdaBlock with each other setting at the same B0, paired on problems", () => {
    const lines = pairedComparisonTable(cells).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe("| 8 | threshold 0.9 | +25.0 | 2 / 1 | 1.000 | 0.350 vs 0.400 | 9.5 vs 8.0 |");
    expect(lines[3]).toBe("| 8 | fixed top-k | +75.0 | 3 / 0 | 0.250 | 0.350 vs 1.000 | 9.5 vs 8.0 |");
  });

  it("sets each setting's accuracy and NFE per token side by side per canvas length", () => {
    const long = [cell("threshold", 8, [false, false, false, true], 80, 80), cell("adablock", 8, [true, true, false, false], 60, 95)];
    const lines = canvasLengthTable([
      { genLength: 64, cells: cells.slice(0, 2) },
      { genLength: 256, cells: long },
    ]).split("\n");
    expect(lines).toEqual([
      "| setting | L = 64 | L = 256 |",
      "|---|---:|---:|",
      "| threshold 0.9, B0 = 8 | 50.0 [15.0, 85.0], 0.400 NFE/token | 25.0 [4.6, 69.9], 0.800 NFE/token |",
      "| +AdaBlock, B0 = 8 | 75.0 [30.1, 95.4], 0.350 NFE/token | 50.0 [15.0, 85.0], 0.600 NFE/token |",
    ]);
  });

  it("gives every accuracy with its 95 % interval", () => {
    const text = intervalTable(cells);
    expect(text).toContain("| +AdaBlock | 75.0 [30.1, 95.4] |");
    expect(text).toContain("| fixed top-k | 0.0 [0.0, 49.0] |");
  });
});
