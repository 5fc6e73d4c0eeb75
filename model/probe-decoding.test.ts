import { describe, expect, it } from "vitest";
import { tallyByOrder, writtenResults } from "./probe-decoding.ts";

// "14 + 9 = 23\n23 - 6 = 18\n#### 18" as the embedded model's tokens read.
const PIECES = ["1", "4", " +", " ", "9", " ", "=", " ", "2", "3", "\n", "2", "3", " -", " ", "6", " ", "=", " ", "1", "8", "\n", "##", "##", " ", "1", "8"];

describe("the decoding probe", () => {
  it("checks each step line's result against its operands as written, and the #### line not at all", () => {
    const results = writtenResults(PIECES, () => 0);
    expect(results.map((r) => [r.line, r.right])).toEqual([
      ["14 + 9 = 23", true],
      ["23 - 6 = 18", false],
    ]);
  });

  it("tells a result whose newline came first from one written before its length was settled", () => {
    // Line one: its result's digits at passes 3 and 3, its newline at 2. Line two: digits at 5 and 7, newline at 8.
    const passes = [0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 2, 4, 4, 4, 4, 4, 4, 4, 4, 5, 7, 8, 9, 9, 9, 9, 9];
    const [first, second] = writtenResults(PIECES, (k) => passes[k]!);
    expect([first!.newlineFirst, first!.onePass]).toEqual([true, true]);
    expect([second!.newlineFirst, second!.onePass]).toEqual([false, false]);
    expect(second!.order).toContain('"1"@5 "8"@7 "\\n"@8');
    expect([...tallyByOrder([first!, second!])]).toEqual([
      ["all", [2, 1]],
      ["newline first, digits in one pass", [1, 1]],
      ["newline later, digits over passes", [1, 0]],
    ]);
  });

  it("leaves rate lines out", () => {
    const rate = ["2", "3", " +", " ", "3", " *", " ", "4", " ", "=", " ", "2", "3", " +", " ", "1", "2", " ", "=", " ", "3", "5", "\n"];
    expect(writtenResults(rate, () => 0)).toEqual([]);
  });
});
