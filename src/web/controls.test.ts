import { describe, expect, it } from "vitest";
import { formatDelimiters, parseDelimiters, parseDelimiterThreshold } from "./controls.ts";

describe("control parsing", () => {
  it("reads delimiters with escapes and writes them back", () => {
    expect(parseDelimiters("\\n , .")).toEqual(["\n", ",", "."]);
    expect(parseDelimiters("  \\s  ")).toEqual([" "]);
    expect(formatDelimiters(["\n", ",", " "])).toBe("\\n , \\s");
  });

  it("reads inf as Infinity (fixed blocks) and numbers as numbers", () => {
    expect(parseDelimiterThreshold("inf")).toBe(Infinity);
    expect(parseDelimiterThreshold(" 0.3 ")).toBe(0.3);
    expect(parseDelimiterThreshold("abc")).toBeNaN();
  });
});
