/**
 * Command-line flags of `npm run generate` mapped onto GenerateOptions. Ranges are checked by
 * the engine's resolveOptions; this file only parses, and names flags in messages.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { OptionError } from "../src/errors.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";

export interface CliArgs {
  prompt: string;
  options: Partial<GenerateOptions>;
  model: string | undefined;
  json: boolean;
  trace: string | undefined;
}

/** Engine option name -> CLI flag, so errors speak the user's language. */
export const FLAGS: Record<string, string> = {
  decoder: "--decoder",
  genLength: "--gen-length",
  blockSize: "--block-size",
  steps: "--steps",
  remasking: "--remasking",
  threshold: "--threshold",
  factor: "--factor",
  delimiterThreshold: "--delimiter-threshold",
  delimiters: "--delimiters",
  innerRule: "--inner-rule",
  temperature: "--temperature",
  seed: "--seed",
  cache: "--cache",
  prompt: "--prompt",
  model: "--model",
};

export const USAGE = `usage: npm run generate -- --prompt TEXT [--decoder fixed|threshold|factor|adablock]
  [--gen-length N] [--block-size B] [--steps N] [--remasking low_confidence|random]
  [--threshold T] [--factor F] [--delimiter-threshold TD] [--delimiters LIST] [--inner-rule threshold|factor]
  [--temperature T] [--seed S] [--cache none|prefix|dual] [--model PATH|URL] [--json] [--trace FILE]
  --delimiters is comma-separated; write \\n for a newline and \\, for a comma (default: \\n)
  --delimiter-threshold accepts Infinity (AdaBlock then uses fixed blocks)`;

/** "\n,.,\," -> ["\n", ".", ","] */
export function parseDelimiters(list: string): string[] {
  const out: string[] = [];
  let current = "";
  for (let i = 0; i < list.length; i++) {
    const ch = list[i]!;
    if (ch === "\\" && i + 1 < list.length) {
      const next = list[++i]!;
      current += next === "n" ? "\n" : next === "t" ? "\t" : next;
    } else if (ch === ",") {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^[+-]?infinity$/i.test(text.trim()) ? (text.trim().startsWith("-") ? -Infinity : Infinity) : Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new OptionError(flag, `must be a number, got ${JSON.stringify(text)}`);
  return value;
}

/** Flags as strings (or booleans); an unknown or malformed flag becomes an OptionError. */
export function parseFlags(argv: string[], options: ParseArgsConfig["options"]): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new OptionError("arguments", (error as Error).message.replace(/\s+/g, " "));
  }
}

export function parseCliArgs(argv: string[]): CliArgs {
  const values = parseFlags(argv, {
    prompt: { type: "string" },
    decoder: { type: "string" },
    "gen-length": { type: "string" },
    "block-size": { type: "string" },
    steps: { type: "string" },
    remasking: { type: "string" },
    threshold: { type: "string" },
    factor: { type: "string" },
    "delimiter-threshold": { type: "string" },
    delimiters: { type: "string" },
    "inner-rule": { type: "string" },
    temperature: { type: "string" },
    seed: { type: "string" },
    cache: { type: "string" },
    model: { type: "string" },
    json: { type: "boolean" },
    trace: { type: "string" },
  });
  const text = (key: string): string | undefined => values[key] as string | undefined;
  if (text("prompt") === undefined) throw new OptionError("--prompt", "is required");
  const options: Partial<GenerateOptions> = {
    decoder: text("decoder") as GenerateOptions["decoder"] | undefined,
    genLength: number("--gen-length", text("gen-length")),
    blockSize: number("--block-size", text("block-size")),
    steps: number("--steps", text("steps")),
    remasking: text("remasking") as GenerateOptions["remasking"] | undefined,
    threshold: number("--threshold", text("threshold")),
    factor: number("--factor", text("factor")),
    delimiterThreshold: number("--delimiter-threshold", text("delimiter-threshold")),
    delimiters: text("delimiters") === undefined ? undefined : parseDelimiters(text("delimiters")!),
    innerRule: text("inner-rule") as GenerateOptions["innerRule"] | undefined,
    temperature: number("--temperature", text("temperature")),
    seed: number("--seed", text("seed")),
    cache: text("cache") as GenerateOptions["cache"] | undefined,
  };
  return { prompt: text("prompt")!, options, model: text("model"), json: values.json === true, trace: text("trace") };
}

/** An engine OptionError re-labelled with the CLI flag it came from. */
export function asFlagError(error: OptionError): OptionError {
  const flag = FLAGS[error.option];
  return flag ? new OptionError(flag, error.message.slice(error.option.length + 2)) : error;
}
