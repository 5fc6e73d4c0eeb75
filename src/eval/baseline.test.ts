import { describe, expect, it } from "vitest";
import type { Categories } from "../problems/word-problems.ts";
import { baselineMarkdown, categoriesVersusBaseline, categoriesVersusMarkdown, compareWithBaseline } from "./baseline.ts";
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

  it("splits the comparison by category, with each category's own discordant pairs", () => {
    const cat = (steps: number, size: Categories["size"], shapes: Categories["shapes"]): Categories => ({ steps, size, shapes, distractor: false, kind: "items", tense: "past" });
    const categories = [cat(1, "<=99", ["add"]), cat(2, "100-999", ["add", "rate"]), cat(2, "100-999", ["half"]), cat(3, ">=1000", ["rate"])];
    // The baseline stopped after three problems: the fourth is left out of both.
    const rows = categoriesVersusBaseline(categories, [true, true, false, true], [true, false, true]);
    const get = (group: string, value: string) => rows.find((r) => r.group === group && r.value === value);
    expect(get("steps", "2")).toMatchObject({ total: 2, correct: 1, baselineCorrect: 1, onlyModel: 1, onlyBaseline: 1, pValue: 1 });
    expect(get("size", "<=99")).toMatchObject({ total: 1, correct: 1, baselineCorrect: 1, onlyModel: 0, onlyBaseline: 0 });
    expect(get("shape", "rate")).toMatchObject({ total: 1, correct: 1, baselineCorrect: 0, onlyModel: 1, onlyBaseline: 0 });
    expect(get("steps", "3")).toBeUndefined();
    const markdown = categoriesVersusMarkdown(rows, "### adablock");
    expect(markdown).toContain("| steps | model % | baseline % | problems | only model right / only baseline right | p |");
    expect(markdown).toContain("| 2 | 50.0 | 50.0 | 2 | 1 / 1 | 1.000 |");
  });
});
