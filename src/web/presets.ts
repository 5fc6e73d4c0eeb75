/**
 * Decoder presets: the three methods the page compares, each as the decoder fields it sets.
 * Length, seed, temperature and the KV cache are left as the user chose them.
 */
import type { GenerateOptions } from "../decoding/types.ts";

export type PresetName = "adablock" | "threshold" | "fixed";

export interface Preset {
  name: PresetName;
  label: string;
  /** One line on what the preset does, for the panel. */
  note: string;
}

export const PRESETS: readonly Preset[] = [
  { name: "adablock", label: "AdaBlock", note: "threshold 0.9 inside blocks that end at a newline the model is ≥ 0.3 sure of (else B0 = 16)" },
  { name: "threshold", label: "Fast-dLLM threshold", note: "fixed blocks of 16, every position ≥ 0.9 confident committed each pass" },
  { name: "fixed", label: "LLaDA fixed", note: "fixed blocks, one token per pass, lowest-confidence positions remasked" },
];

/** The decoder fields the presets set; a form matches a preset when all of these agree. */
export type PresetFields = Pick<GenerateOptions, "decoder" | "blockSize" | "steps" | "remasking" | "threshold" | "delimiterThreshold" | "delimiters" | "innerRule">;

/** LLaDA's block length is 32; the fixed decoder needs a block size that divides L. */
export function fixedBlockSize(genLength: number): number {
  for (let size = Math.min(32, genLength); size > 1; size--) if (genLength % size === 0) return size;
  return 1;
}

/** The fields a preset sets for a run of `genLength` tokens. */
export function presetFields(name: PresetName, genLength: number): Partial<PresetFields> {
  switch (name) {
    case "adablock":
      return { decoder: "adablock", blockSize: 16, threshold: 0.9, delimiterThreshold: 0.3, delimiters: ["\n"], innerRule: "threshold" };
    case "threshold":
      return { decoder: "threshold", blockSize: 16, threshold: 0.9 };
    case "fixed":
      // steps = L: one token per pass, as LLaDA's generate.py defaults to.
      return { decoder: "fixed", blockSize: fixedBlockSize(genLength), steps: genLength, remasking: "low_confidence" };
  }
}

/** Which preset the options equal, or null for a custom setting. */
export function matchPreset(options: Partial<GenerateOptions>): PresetName | null {
  const genLength = options.genLength ?? 0;
  for (const { name } of PRESETS) {
    const fields = presetFields(name, genLength);
    const same = Object.entries(fields).every(([key, value]) => {
      const actual = options[key as keyof GenerateOptions];
      return Array.isArray(value) ? Array.isArray(actual) && actual.join("\u0000") === value.join("\u0000") : actual === value;
    });
    if (same) return name;
  }
  return null;
}
