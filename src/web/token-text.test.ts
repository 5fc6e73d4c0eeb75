import { describe, expect, it } from "vitest";
import { chipLabel, displayToken, endsLine, isSpecialToken, specialTokenNames, textParts } from "./token-text.ts";

describe("token text on the canvas", () => {
  it("names special tokens by the tokenizer's list, or by their shape when no list is given", () => {
    const names = new Set(["<|im_end|>", "<|endoftext|>", "[PAD]", "<custom>"]);
    expect(isSpecialToken("<custom>", names)).toBe(true);
    expect(isSpecialToken("<custom>")).toBe(false);
    for (const text of ["[EOS]", "[PAD]", "<|im_end|>", "<|endoftext|>", "</s>", "<pad>"]) expect(isSpecialToken(text)).toBe(true);
    for (const text of [" [x]", "[1]", "<|a b|>", "<b>", "<", "apples", " "]) expect(isSpecialToken(text)).toBe(false);
  });

  it("labels chips with the name inside the brackets", () => {
    expect(chipLabel("[EOS]")).toBe("EOS");
    expect(chipLabel("<|im_end|>")).toBe("im_end");
    expect(chipLabel("<|endoftext|>")).toBe("endoftext");
    expect(chipLabel("</s>")).toBe("/s");
    expect(chipLabel("weird")).toBe("weird");
  });

  it("draws whitespace as marks, in runs apart from the text", () => {
    expect(textParts(" apples")).toEqual([
      { text: "·", whitespace: true },
      { text: "apples", whitespace: false },
    ]);
    expect(textParts("\n")).toEqual([{ text: "↵", whitespace: true }]);
    expect(textParts("a \tb\r\n")).toEqual([
      { text: "a", whitespace: false },
      { text: "·⇥", whitespace: true },
      { text: "b", whitespace: false },
      { text: "␍↵", whitespace: true },
    ]);
    expect(textParts("")).toEqual([{ text: "∅", whitespace: true }]);
    // Astral characters stay whole.
    expect(textParts("😀 ")).toEqual([
      { text: "😀", whitespace: false },
      { text: "·", whitespace: true },
    ]);
  });

  it("displays a token as one string and knows when it ends a line", () => {
    expect(displayToken(" the")).toBe("·the");
    expect(displayToken("[EOS]")).toBe("EOS");
    expect(displayToken("<think>", new Set(["<think>"]))).toBe("think");
    expect(endsLine("Answer:\n")).toBe(true);
    expect(endsLine("\n ")).toBe(false);
  });

  it("reads the special-token names from a load report's ids and vocabulary", () => {
    expect(specialTokenNames({ specialTokenIds: [0, 1, 9], vocab: ["[PAD]", "[EOS]", "a"] })).toEqual(new Set(["[PAD]", "[EOS]"]));
  });
});
