import { describe, expect, it } from "vitest";
import { extractAnswer, isCorrect } from "./score.ts";

describe("answer extraction", () => {
  it("reads the number on the #### line", () => {
    expect(extractAnswer("3 + 4 = 7\n7 - 2 = 5\n#### 5")).toBe(5);
    expect(extractAnswer("####17")).toBe(17);
    expect(extractAnswer("#### -3\n")).toBe(-3);
  });
  it("takes the last #### line when there are several", () => {
    expect(extractAnswer("#### 4\n#### 9")).toBe(9);
  });
  it("returns null for malformed output instead of throwing", () => {
    for (const text of ["", "7 + 1 = 8", "#### ", "#### eight", "#### 8 apples", "x #### 8", "\u0000####\u0000", "#### 1e400"]) {
      expect(extractAnswer(text)).toBeNull();
    }
  });
  it("scores exact matches only", () => {
    expect(isCorrect("1 + 1 = 2\n#### 2", 2)).toBe(true);
    expect(isCorrect("1 + 1 = 2\n#### 3", 2)).toBe(false);
    expect(isCorrect("1 + 1 = 2", 2)).toBe(false);
  });
});
