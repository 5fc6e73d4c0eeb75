/**
 * The evaluation's settings, as in the AdaBlock paper's table (rows) crossed with block sizes
 * B0 (columns). Each setting is a fixed recipe of engine options; nothing else varies.
 */
import { OptionError } from "../errors.ts";
import type { GenerateOptions } from "../decoding/types.ts";

export type SettingName = "vanilla" | "threshold" | "adablock" | "cache" | "adablock+cache" | "fixed";

/** Row order of the paper's table, with fixed top-k last. */
export const SETTING_NAMES: readonly SettingName[] = ["vanilla", "threshold", "adablock", "cache", "adablock+cache", "fixed"];

export const SETTING_LABELS: Readonly<Record<SettingName, string>> = {
  vanilla: "vanilla (tau = 1)",
  threshold: "threshold 0.9",
  adablock: "+AdaBlock",
  cache: "+dual cache",
  "adablock+cache": "+AdaBlock+dual cache",
  fixed: "fixed top-k",
};

/** What the engine is asked for in every cell, besides the cell's own setting and B0. */
export interface EvalPlan {
  settings: SettingName[];
  blockSizes: number[];
  genLength: number;
  /** AdaBlock's tau_D. */
  delimiterThreshold: number;
  /** fixed only: forward passes per generation (the step budget); the default is genLength. */
  fixedSteps: number;
}

export const DEFAULT_BLOCK_SIZES: readonly number[] = [4, 8, 16, 32];
export const DEFAULT_GEN_LENGTH = 64;
/**
 * Canvas lengths the results page and the model card measure again (does an answer depend on the
 * room it was given?); model/train.py's CANVAS_LENGTHS are the same ones.
 */
export const CANVAS_LENGTHS = [64, 128, 256] as const;
export const DEFAULT_DELIMITER_THRESHOLD = 0.3;

export function defaultPlan(overrides: Partial<EvalPlan> = {}): EvalPlan {
  const genLength = overrides.genLength ?? DEFAULT_GEN_LENGTH;
  return {
    settings: [...SETTING_NAMES],
    blockSizes: [...DEFAULT_BLOCK_SIZES],
    genLength,
    delimiterThreshold: DEFAULT_DELIMITER_THRESHOLD,
    fixedSteps: genLength,
    ...overrides,
  };
}

export interface EvalCell {
  setting: SettingName;
  blockSize: number;
}

/** One setting at one B0 as engine options. Temperature 0 everywhere: the runs are deterministic. */
export function cellOptions(cell: EvalCell, plan: EvalPlan): Partial<GenerateOptions> {
  const common = { genLength: plan.genLength, blockSize: cell.blockSize, temperature: 0 };
  switch (cell.setting) {
    case "vanilla":
      return { ...common, decoder: "threshold", threshold: 1 };
    case "threshold":
      return { ...common, decoder: "threshold", threshold: 0.9 };
    case "adablock":
      return { ...common, decoder: "adablock", threshold: 0.9, innerRule: "threshold", delimiterThreshold: plan.delimiterThreshold, delimiters: ["\n"] };
    case "cache":
      return { ...cellOptions({ ...cell, setting: "threshold" }, plan), cache: "dual" };
    case "adablock+cache":
      return { ...cellOptions({ ...cell, setting: "adablock" }, plan), cache: "dual" };
    case "fixed":
      return { ...common, decoder: "fixed", steps: plan.fixedSteps, remasking: "low_confidence" };
    default: {
      const never: never = cell.setting;
      throw new OptionError("settings", `unknown setting ${String(never)}`);
    }
  }
}

/** Every (setting, B0) pair, row by row. */
export function planCells(plan: EvalPlan): EvalCell[] {
  return plan.settings.flatMap((setting) => plan.blockSizes.map((blockSize) => ({ setting, blockSize })));
}

/** "vanilla,+adablock,+adablock+cache" -> ["vanilla", "adablock", "adablock+cache"]; the paper's "+" spelling is accepted. */
export function parseSettings(list: string, option = "decoders"): SettingName[] {
  const names = list.split(",").map((s) => s.trim().replace(/^\+/, "").toLowerCase()).filter(Boolean);
  if (names.length === 0) throw new OptionError(option, `must list at least one of ${SETTING_NAMES.join(", ")}`);
  for (const name of names) {
    if (!SETTING_NAMES.includes(name as SettingName)) {
      throw new OptionError(option, `must be a comma-separated list of ${SETTING_NAMES.join(", ")}, got ${JSON.stringify(name)}`);
    }
  }
  // Table rows keep the paper's order whatever order they were asked in.
  return SETTING_NAMES.filter((name) => names.includes(name));
}

export function parseBlockSizes(list: string, option = "block-sizes"): number[] {
  const parts = list.split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new OptionError(option, "must list at least one block size");
  const sizes = parts.map((part) => {
    const value = Number(part);
    if (!/^\d+$/.test(part) || !Number.isInteger(value) || value < 1) {
      throw new OptionError(option, `must be a comma-separated list of integers >= 1, got ${JSON.stringify(part)}`);
    }
    return value;
  });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** Checks what the engine cannot check per call: that every cell fits the plan's generation length. */
export function checkPlan(plan: EvalPlan): void {
  for (const blockSize of plan.blockSizes) {
    if (blockSize > plan.genLength) throw new OptionError("block-sizes", `${blockSize} is larger than the generation length ${plan.genLength}`);
    if (plan.settings.includes("fixed") && plan.genLength % blockSize !== 0) {
      throw new OptionError("block-sizes", `${blockSize} must divide the generation length ${plan.genLength} for the fixed setting`);
    }
  }
}
