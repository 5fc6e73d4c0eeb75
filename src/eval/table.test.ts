import { describe, expect, it } from "vitest";
import { EMPTY_CELL, gridToMarkdown, markdownTables, metricGrid, signedPoints } from "./table.ts";
import { cell } from "./testing.ts";

describe("paper-layout tables", () => {
  const cells = [cell("adablock", 8, 81), cell("threshold", 8, 79), cell("threshold", 16, 80), cell("adablock", 16, 80), cell("vanilla", 8, 70)];

  it("has settings as rows in the paper's order and B0 as columns; AdaBlock shows its difference to threshold", () => {
    const grid = metricGrid(cells, "accuracy");
    expect(grid.header).toEqual(["setting", "B0 = 8", "B0 = 16"]);
    expect(grid.rows).toEqual([
      ["vanilla (tau = 1)", "70.0", EMPTY_CELL],
      ["threshold 0.9", "79.0", "80.0"],
      ["+AdaBlock", "81.0 (+2.0)", "80.0 (±0.0)"],
    ]);
  });

  it("formats the cost figures per cell", () => {
    expect(metricGrid(cells, "nfePerToken").rows[1]).toEqual(["threshold 0.9", "0.500", "0.500"]);
    expect(metricGrid(cells, "tokensPerSecond").rows[1]).toEqual(["threshold 0.9", "100", "100"]);
    expect(metricGrid(cells, "meanBlockSize").rows[2]).toEqual(["+AdaBlock", "8.0", "16.0"]);
  });

  it("leaves cells with no scored problem empty, and shows no difference without a threshold row", () => {
    const grid = metricGrid([cell("adablock", 8, 0, 0), cell("adablock", 16, 5, 10)], "accuracy");
    expect(grid.rows).toEqual([["+AdaBlock", EMPTY_CELL, "50.0"]]);
  });

  it("writes Markdown with right-aligned number columns", () => {
    expect(gridToMarkdown({ header: ["setting", "B0 = 8"], rows: [["a", "1.0"]] })).toBe("| setting | B0 = 8 |\n|---|---:|\n| a | 1.0 |");
    const text = markdownTables(cells);
    for (const title of ["Accuracy", "NFE per generated token", "Tokens per second", "Mean block size"]) expect(text).toContain(title);
  });

  it("signs differences in percentage points", () => {
    expect(signedPoints(0.021)).toBe("+2.1");
    expect(signedPoints(-0.005)).toBe("-0.5");
    expect(signedPoints(0.0001)).toBe("±0.0");
  });
});
