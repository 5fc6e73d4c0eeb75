/**
 * Generation options: defaults and up-front validation. Every bad value is rejected here,
 * with the option's name and allowed range, before any forward pass runs.
 */
import { OptionError } from "../errors.ts";
import type { ModelConfig } from "../model/model-folder.ts";
import type { TextCodec } from "../model/tokenizer.ts";
import type { CacheMode, DecoderName, GenerateOptions, InnerRule, Remasking } from "./types.ts";

export const DECODERS: readonly DecoderName[] = ["fixed", "threshold", "factor", "adablock"];
export const REMASKINGS: readonly Remasking[] = ["low_confidence", "random"];
export const INNER_RULES: readonly InnerRule[] = ["threshold", "factor"];
export const CACHE_MODES: readonly CacheMode[] = ["none", "prefix", "dual"];

/** Defaults sized for the shipped model (answers of at most 64 tokens; trained on canvases of 64, 128 and 256); the paper uses L = 512, B0 = 32. */
export const DEFAULT_OPTIONS: Readonly<GenerateOptions> = {
  decoder: "adablock",
  genLength: 64,
  blockSize: 16,
  steps: 64,
  remasking: "low_confidence",
  threshold: 0.9,
  factor: 1,
  delimiterThreshold: 0.3,
  delimiters: ["\n"],
  innerRule: "threshold",
  temperature: 0,
  seed: 0,
  cache: "none",
};

function integer(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new OptionError(option, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new OptionError(option, `must be one of ${allowed.join(", ")}, got ${String(value)}`);
  return value as T;
}

/** The token ids of the delimiter pieces; a piece the tokenizer lacks is an error. */
export function delimiterIds(delimiters: readonly string[], codec: TextCodec): number[] {
  return delimiters.map((piece) => {
    const id = codec.idOf(piece);
    if (id === undefined) throw new OptionError("delimiters", `${JSON.stringify(piece)} is not a single token of this tokenizer`);
    return id;
  });
}

/**
 * The prompt must be a string; empty or whitespace-only is allowed (the model then generates
 * from nothing), as is any Unicode the tokenizer can encode (unknown characters become [UNK]).
 */
export function checkPrompt(prompt: unknown): string {
  if (typeof prompt !== "string") throw new OptionError("prompt", `must be a string, got ${prompt === null ? "null" : typeof prompt}`);
  return prompt;
}

export function resolveOptions(
  options: Partial<GenerateOptions>,
  model: { config: ModelConfig; codec: TextCodec },
  promptTokens: number,
): GenerateOptions {
  // Callers across the worker boundary are untyped: a null or array here must not become a TypeError.
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new OptionError("options", `must be an object of generation options, got ${options === null ? "null" : Array.isArray(options) ? "an array" : typeof options}`);
  }
  const unknown = Object.keys(options).filter((key) => !(key in DEFAULT_OPTIONS));
  if (unknown.length > 0) throw new OptionError(unknown[0]!, `is not an option; options are ${Object.keys(DEFAULT_OPTIONS).join(", ")}`);
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<GenerateOptions>;
  // steps defaults to one pass per generated token.
  const merged: GenerateOptions = { ...DEFAULT_OPTIONS, steps: given.genLength ?? DEFAULT_OPTIONS.genLength, ...given };
  const context = model.config.maxSequenceLength;
  if (promptTokens >= context) {
    throw new OptionError("prompt", `is ${promptTokens} tokens; the model's context is ${context}, leaving no room to generate`);
  }
  const decoder = oneOf("decoder", merged.decoder, DECODERS);
  const genLength = integer("genLength", merged.genLength, 1, context - promptTokens);
  const blockSize = integer("blockSize", merged.blockSize, 1, genLength);
  // steps only drives the fixed decoder; the others run until their blocks are decoded.
  const steps = decoder === "fixed" ? integer("steps", merged.steps, 1, genLength) : genLength;
  if (decoder === "fixed") {
    if (genLength % blockSize !== 0) {
      throw new OptionError("blockSize", `must divide genLength (${genLength}) for the fixed decoder, got ${blockSize}`);
    }
    const blocks = genLength / blockSize;
    if (steps % blocks !== 0) {
      throw new OptionError("steps", `must be a multiple of the number of blocks (${blocks} = ${genLength} / ${blockSize}), got ${steps}`);
    }
  }
  const threshold = merged.threshold;
  if (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1)) {
    throw new OptionError("threshold", `must be in (0, 1], got ${String(threshold)}`);
  }
  const factor = merged.factor;
  if (typeof factor !== "number" || !(factor > 0) || !Number.isFinite(factor)) {
    throw new OptionError("factor", `must be a finite number > 0, got ${String(factor)}`);
  }
  const delimiterThreshold = merged.delimiterThreshold;
  if (typeof delimiterThreshold !== "number" || !(delimiterThreshold >= 0)) {
    throw new OptionError("delimiterThreshold", `must be >= 0 (Infinity = fixed blocks), got ${String(delimiterThreshold)}`);
  }
  if (!Array.isArray(merged.delimiters) || merged.delimiters.length === 0 || !merged.delimiters.every((d) => typeof d === "string" && d !== "")) {
    throw new OptionError("delimiters", `must be a non-empty list of token strings, got ${JSON.stringify(merged.delimiters)}`);
  }
  delimiterIds(merged.delimiters, model.codec);
  const temperature = merged.temperature;
  if (typeof temperature !== "number" || !(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new OptionError("temperature", `must be a finite number >= 0, got ${String(temperature)}`);
  }
  return {
    decoder,
    genLength,
    blockSize,
    steps,
    remasking: oneOf("remasking", merged.remasking, REMASKINGS),
    threshold,
    factor,
    delimiterThreshold,
    delimiters: [...merged.delimiters],
    innerRule: oneOf("innerRule", merged.innerRule, INNER_RULES),
    temperature,
    seed: integer("seed", merged.seed, 0, 2 ** 32 - 1),
    cache: oneOf("cache", merged.cache, CACHE_MODES),
  };
}
