import { describe, expect, it } from "vitest";
import { baselineMarkdown, compareWithBaseline } from "./baseline.ts";
import { cellResult } from "./testing.ts";

describe("a model against a baseline", () => {
  it("pairs each cell with the baseline's same setting and B0, on the problems both answered", () => {
    const model = [cellResult("adablock", 16, [true, true, true, false, true]), cellResult("threshold", 16, [false, false]), cellResult("fixed", 8, [true])];
    // The baseline was stopped early on adablock: 4 of 5 problems; it has no fixed cell.
    const baseline = [cellResult("threshold", 16, [true, false]), cellResult("adablock", 16, [false, true, false, true])];
    const rows = compareWithBaseline(model, baseline);
    expect(rows.map((r) => r.setting)).toEqual(["adablock", "threshold"]);
    expect(rows[0]).toMatchObject({ blockSize: 16, problems: 4, accuracy: 0.75, baselineAccuracy: 0.5, onlyModel: 2, onlyBaseline: 1, pValue: 1 });
    expect(rows[1]).toMatchObject({ problems: 2, accuracy: 0, baselineAccuracy: 0.5, onlyModel: 0, onlyBaseline: 1 });
  });

  it("gives a small p only when the discordant pairs lean one way", () => {
    const ten = (right: boolean): boolean[] => Array.from({ length: 10 }, () => right);
    const [lopsided] = compareWithBaseline([cellResult("adablock", 16, ten(true))], [cellResult("adablock", 16, ten(false))]);
    expect(lopsided!.pValue).toBeCloseTo(2 / 1024, 10);
    const [same] = compareWithBaseline([cellResult("adablock", 16, ten(true))], [cellResult("adablock", 16, ten(true))]);
    expect(same).toMatchObject({ onlyModel: 0, onlyBaseline: 0, pValue: 1 });
  });

  it("writes one Markdown row per cell", () => {
    const markdown = baselineMarkdown(compareWithBaseline([cellResult("adablock", 16, [true, true, false])], [cellResult("adablock", 16, [false, true, false])]));
    expect(markdown.split("\n")[0]).toBe("| setting | B0 | problems | model % | baseline % | difference (points) | only model right / only baseline right | p (exact McNemar) |");
    expect(markdown.split("\n")[2]).toBe("| +AdaBlock | 16 | 3 | 66.7 | 33.3 | +33.3 | 1 / 0 | 1.000 |");
  });
});
