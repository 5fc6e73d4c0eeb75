import { describe, expect, it } from "vitest";
import { rateLineFault, tallyByOrder, writtenRateLines, writtenResults } from "./probe-decoding.ts";

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

  it("tells what a rate line got wrong first: the restated value, the product or the result", () => {
    expect(rateLineFault("82 + 7 * 4 = 82 + 28 = 110")).toBe("right, 2-digit product");
    expect(rateLineFault("52 - 3 * 7 = 52 - 21 = 31")).toBe("right, 2-digit product");
    expect(rateLineFault("4 + 10 * 5 = 44 + 50 = 84")).toBe("restated, 2-digit product");
    expect(rateLineFault("4 + 10 * 5 = 4 - 50 = 84")).toBe("restated, 2-digit product");
    expect(rateLineFault("16 + 3 * 4 = 16 + 1 = 17")).toBe("product, 2-digit product");
    expect(rateLineFault("230 + 7 * 96 = 230 + 669 = 999")).toBe("product, 3-digit product");
    expect(rateLineFault("52 - 3 * 7 = 52 - 21 = 1")).toBe("result, 2-digit product");
    expect(rateLineFault("5 + 6 * 9 = 55 56 = 61")).toBe("layout");
    expect(rateLineFault("7 * 4 = 28")).toBeUndefined();
    expect(rateLineFault("#### 110")).toBeUndefined();
  });

  it("tells a rate line whose product's end was written before its digits", () => {
    // "23 + 3 * 4 = 23 + 12 = 35": the product's digits at 15-16, the token after them at 17.
    const rate = ["2", "3", " +", " ", "3", " *", " ", "4", " ", "=", " ", "2", "3", " +", " ", "1", "2", " ", "=", " ", "3", "5", "\n"];
    const endFirst = writtenRateLines(rate, (k) => (k === 17 ? 1 : k === 15 || k === 16 ? 2 : 0));
    expect(endFirst).toEqual([{ line: "23 + 3 * 4 = 23 + 12 = 35", fault: "right, 2-digit product", productEndFirst: true }]);
    const endLater = writtenRateLines(rate, (k) => (k === 17 ? 3 : k === 15 ? 2 : 0));
    expect(endLater[0]!.productEndFirst).toBe(false);
    expect(writtenRateLines(["1", "4", " +", " ", "9", " ", "=", " ", "2", "3", "\n"], () => 0)).toEqual([]);
    const garbled = ["5", " +", " ", "6", " *", " ", "9", " ", "=", " ", "5", "5", " ", "5", "6", " ", "=", " ", "6", "1", "\n"];
    expect(writtenRateLines(garbled, () => 0)).toEqual([{ line: "5 + 6 * 9 = 55 56 = 61", fault: "layout", productEndFirst: undefined }]);
  });
});
