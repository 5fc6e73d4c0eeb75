import { describe, expect, it } from "vitest";
import type { Categories } from "../problems/word-problems.ts";
import { categoryMarkdown, categoryRows } from "./categories.ts";

const cat = (steps: number, size: Categories["size"], shapes: Categories["shapes"], distractor = false): Categories => ({
  steps, size, shapes, distractor, kind: "items", tense: "present",
});

describe("per-category accuracy", () => {
  const categories = [cat(2, "<=99", ["has", "add"]), cat(6, ">=1000", ["had", "rate", "add"], true), cat(2, "100-999", ["has", "half"])];

  it("counts each problem once per group and once under every shape it uses", () => {
    const rows = categoryRows(categories, [true, false, true]);
    const get = (group: string, value: string) => rows.find((r) => r.group === group && r.value === value);
    expect(get("steps", "2")).toMatchObject({ correct: 2, total: 2, accuracy: 1 });
    expect(get("steps", "6")).toMatchObject({ correct: 0, total: 1, accuracy: 0 });
    expect(get("shape", "add")).toMatchObject({ correct: 1, total: 2, accuracy: 0.5 });
    expect(get("distractor", "yes")).toMatchObject({ correct: 0, total: 1 });
    expect(get("kind", "items")).toMatchObject({ correct: 2, total: 3 });
    // Sizes in their own order, small to large; steps numerically.
    expect(rows.filter((r) => r.group === "size").map((r) => r.value)).toEqual(["<=99", "100-999", ">=1000"]);
    expect(rows.filter((r) => r.group === "steps").map((r) => r.value)).toEqual(["2", "6"]);
  });

  it("scores only the problems with an outcome so far (a stopped run)", () => {
    const rows = categoryRows(categories, [false]);
    expect(rows.filter((r) => r.group === "steps")).toEqual([{ group: "steps", value: "2", correct: 0, total: 1, accuracy: 0 }]);
    expect(() => categoryRows(categories.slice(0, 1), [true, true])).toThrow(RangeError);
  });

  it("prints one Markdown table per group", () => {
    const text = categoryMarkdown(categoryRows(categories, [true, false, true]), "+AdaBlock, B0 = 16");
    expect(text).toContain("| steps | exact % | correct |");
    expect(text).toContain("| 6 | 0.0 | 0/1 |");
    expect(text).toContain("| add | 50.0 | 1/2 |");
  });
});
