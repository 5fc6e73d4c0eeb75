import { describe, expect, it } from "vitest";
import { chooseAdaBlock, type AdaBlockInput } from "./block-adablock.ts";

const NL = 3;
/** Predictions: a delimiter at the given positions with the given confidences, word tokens elsewhere. */
function input(delimiters: Record<number, number>, overrides: Partial<AdaBlockInput> = {}): AdaBlockInput {
  return {
    start: 10,
    generated: 0,
    genLength: 64,
    fallbackSize: 8,
    delimiterThreshold: 0.3,
    delimiterIds: new Set([NL]),
    prediction: (p) => (p in delimiters ? { tokenId: NL, confidence: delimiters[p]! } : { tokenId: 7, confidence: 0.99 }),
    ...overrides,
  };
}

describe("AdaBlock block size", () => {
  it("no delimiter in the window: B0", () => {
    const d = chooseAdaBlock(input({}));
    expect(d.blockSize).toBe(8);
    expect(d.chosen).toBeNull();
    expect(d.window).toEqual([10, 26]); // floor(0.25 * 64) = 16
  });

  it("no delimiter and less left than B0: what remains", () => {
    expect(chooseAdaBlock(input({}, { generated: 59 })).blockSize).toBe(5);
  });

  it("best delimiter below tau_D: B0", () => {
    const d = chooseAdaBlock(input({ 12: 0.2, 15: 0.25 }));
    expect(d.blockSize).toBe(8);
    expect(d.candidates.map((c) => c.position)).toEqual([12, 15]);
    expect(d.chosen).toBeNull();
  });

  it("best delimiter at or above tau_D: up to and including it", () => {
    const d = chooseAdaBlock(input({ 12: 0.4, 20: 0.9, 22: 0.5 }));
    expect(d.chosen?.position).toBe(20);
    expect(d.blockSize).toBe(11);
    expect(chooseAdaBlock(input({ 10: 0.3 })).blockSize).toBe(1);
  });

  it("can be longer than B0 (up to the window)", () => {
    expect(chooseAdaBlock(input({ 25: 0.8 })).blockSize).toBe(16);
  });

  it("ignores delimiters outside the window floor(0.25 L)", () => {
    const d = chooseAdaBlock(input({ 26: 0.99 }));
    expect(d.candidates).toEqual([]);
    expect(d.blockSize).toBe(8);
    expect(chooseAdaBlock(input({ 13: 0.99 }, { genLength: 15 })).window).toEqual([10, 13]);
  });

  it("caps the window by what remains", () => {
    const d = chooseAdaBlock(input({ 14: 0.99 }, { generated: 60 }));
    expect(d.window).toEqual([10, 14]);
    expect(d.candidates).toEqual([]);
    expect(d.blockSize).toBe(4);
  });

  it("tau_D = Infinity never chooses a delimiter", () => {
    expect(chooseAdaBlock(input({ 12: 1 }, { delimiterThreshold: Infinity })).blockSize).toBe(8);
  });
});
