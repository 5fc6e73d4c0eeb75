import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS } from "../decoding/options.ts";
import { fixedBlockSize, matchPreset, presetFields } from "./presets.ts";

describe("decoder presets", () => {
  it("the page's defaults are the AdaBlock preset", () => {
    expect(matchPreset(DEFAULT_OPTIONS)).toBe("adablock");
  });

  it("each preset's fields match that preset and no other", () => {
    for (const name of ["adablock", "threshold", "fixed"] as const) {
      const options = { ...DEFAULT_OPTIONS, ...presetFields(name, 64) };
      expect(matchPreset(options)).toBe(name);
    }
  });

  it("a changed field makes the setting custom", () => {
    expect(matchPreset({ ...DEFAULT_OPTIONS, delimiterThreshold: 0.5 })).toBeNull();
    expect(matchPreset({ ...DEFAULT_OPTIONS, delimiters: ["\n", "."] })).toBeNull();
    expect(matchPreset({ ...DEFAULT_OPTIONS, ...presetFields("fixed", 64), steps: 32 })).toBeNull();
  });

  it("LLaDA fixed: one token per pass, with a block size that divides L (32 where it can)", () => {
    expect(presetFields("fixed", 64)).toMatchObject({ decoder: "fixed", blockSize: 32, steps: 64 });
    expect(fixedBlockSize(48)).toBe(24);
    expect(fixedBlockSize(20)).toBe(20);
    expect(fixedBlockSize(37)).toBe(1);
    expect(fixedBlockSize(1)).toBe(1);
  });
});
