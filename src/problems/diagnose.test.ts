import { describe, expect, it } from "vitest";
import { countFaults, diagnoseAnswer } from "./diagnose.ts";
import { generateProblems } from "./generate.ts";

const problem = {
  target: "14 + 9 = 23\n23 - 6 = 17\n#### 17",
  answer: 17,
};

describe("diagnoseAnswer", () => {
  it("calls the reference answer of every generated problem correct", () => {
    for (const p of generateProblems(7, 200)) expect(diagnoseAnswer(p, p.target)).toBe("correct");
  });

  it("names the first line's fault", () => {
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n23 - 6 = 17\n#### 17")).toBe("correct");
    expect(diagnoseAnswer(problem, "14 + 8 = 22\n22 - 6 = 16\n#### 16")).toBe("copy");
    expect(diagnoseAnswer(problem, "41 + 9 = 50\n50 - 6 = 44\n#### 44")).toBe("copy");
    expect(diagnoseAnswer(problem, "14 - 9 = 5\n5 - 6 = 1\n#### 1")).toBe("copy");
    expect(diagnoseAnswer(problem, "14 + 9 = 24\n24 - 6 = 18\n#### 18")).toBe("arithmetic");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n24 - 6 = 18\n#### 18")).toBe("carry");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n#### 23")).toBe("step-count");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n23 - 6 = 17\n17 + 1 = 18\n#### 18")).toBe("step-count");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n23 - 6 = 17\n#### 71")).toBe("final-line");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n23 - 6 = 17")).toBe("layout");
    expect(diagnoseAnswer(problem, "14 + 9 = 23\n23 - six = 17\n#### 1")).toBe("layout");
    expect(diagnoseAnswer(problem, "")).toBe("layout");
  });

  it("counts the right answer as correct however the steps went", () => {
    expect(diagnoseAnswer(problem, "1 + 1 = 3\n#### 17")).toBe("correct");
  });
});

describe("countFaults", () => {
  it("lists every fault, zero when absent", () => {
    expect(countFaults(["copy", "copy", "correct"])).toEqual({
      correct: 1,
      layout: 0,
      copy: 2,
      carry: 0,
      arithmetic: 0,
      "step-count": 0,
      "final-line": 0,
    });
  });
});
