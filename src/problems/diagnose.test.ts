import { describe, expect, it } from "vitest";
import { countFaults, diagnoseAnswer } from "./diagnose.ts";
import { generateProblems } from "./generate.ts";
import { compactTarget, generateWordProblems } from "./word-problems.ts";

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

  it("reads the compact layout of v1 and v2 answers, division included", () => {
    for (const p of generateProblems(7, 100)) expect(diagnoseAnswer(p, compactTarget(p.target))).toBe("correct");
    for (const p of generateWordProblems(7, 200)) expect(diagnoseAnswer(p, p.target)).toBe("correct");
    expect(diagnoseAnswer(problem, "14+9=23\n24-6=18\n#### 18")).toBe("carry");
    expect(diagnoseAnswer(problem, "14+9=24\n24-6=18\n#### 18")).toBe("arithmetic");
    const halves = { target: "30/2=15\n15+4=19\n#### 19", answer: 19 };
    expect(diagnoseAnswer(halves, "30/2=16\n16+4=20\n#### 20")).toBe("arithmetic");
    expect(diagnoseAnswer(halves, "30/3=10\n10+4=14\n#### 14")).toBe("copy");
  });

  it("calls a wrong operand carried from any earlier line a carry fault, and a question's number a copy fault", () => {
    // A rate in the two-line layout earlier data used, its product used a line later.
    const rate = { target: "10*5=50\n91+50=141\n141-7=134\n#### 134", answer: 134 };
    expect(diagnoseAnswer(rate, "10*5=50\n91+55=146\n146-7=139\n#### 139")).toBe("carry");
    expect(diagnoseAnswer(rate, "10*5=50\n19+50=69\n69-7=62\n#### 62")).toBe("copy");
  });

  it("checks a rate's one line as its product, then its sum", () => {
    const rate = { target: "91 + 10 * 5 = 91 + 50 = 141\n141 - 7 = 134\n#### 134", answer: 134 };
    expect(diagnoseAnswer(rate, "91+10*5=91+50=141\n141-7=134\n#### 134")).toBe("correct");
    expect(diagnoseAnswer(rate, "91 + 10 * 5 = 91 + 55 = 146\n146 - 7 = 139\n#### 139")).toBe("arithmetic");
    expect(diagnoseAnswer(rate, "91 + 10 * 5 = 91 + 50 = 142\n142 - 7 = 135\n#### 135")).toBe("arithmetic");
    expect(diagnoseAnswer(rate, "19 + 10 * 5 = 19 + 50 = 69\n69 - 7 = 62\n#### 62")).toBe("copy");
    expect(diagnoseAnswer(rate, "91 + 10 * 5 = 91 + 50 = 141\n140 - 7 = 133\n#### 133")).toBe("carry");
    // The two-line layout: its second line does not start from the running value.
    expect(diagnoseAnswer(rate, "10 * 5 = 50\n50 + 91 = 141\n141 - 7 = 134\n#### 135")).toBe("copy");
    expect(diagnoseAnswer(rate, "91 + 10 * 5 = 19 + 50 = 69\n#### 69")).toBe("layout");
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
