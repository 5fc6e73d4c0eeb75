/**
 * Command-line flags of `npm run generate` mapped onto GenerateOptions. Ranges are checked by
 * the engine's resolveOptions; this file parses, names flags in messages, and rejects a flag
 * the chosen decoder would ignore. It also holds the flag parsing every CLI and script shares
 * (parseTypedFlags, parseFlags, integerFlag), so a bad flag reads the same everywhere.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { decodersReading } from "../src/decoding/decoder-options.ts";
import { DECODERS, DEFAULT_OPTIONS } from "../src/decoding/options.ts";
import { OptionError } from "../src/errors.ts";
import type { GenerateOptions } from "../src/decoding/types.ts";
import { type Dtype, hubBaseUrl, parseDtype } from "../src/model/model-source.ts";

export interface CliArgs {
  prompt: string;
  options: Partial<GenerateOptions>;
  model: string | undefined;
  /** The graph's dtype (--dtype); undefined = the folder's default. */
  dtype: Dtype | undefined;
  /** Wrap the prompt as one user message through the model's chat template (--chat). */
  chat: boolean;
  /** The hub for repo ids (--hub-url, else $DLLM_HUB_URL); undefined = huggingface.co. */
  hubUrl: string | undefined;
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
  dtype: "--dtype",
  hubUrl: "--hub-url",
};

export const USAGE = `usage: dllm-web generate --prompt TEXT [--decoder fixed|threshold|factor|adablock]   (in this repository: npm run generate -- ...)
  [--gen-length N] [--block-size B] [--steps N] [--remasking low_confidence|random]
  [--threshold T] [--factor F] [--delimiter-threshold TD] [--delimiters LIST] [--inner-rule threshold|factor]
  [--temperature T] [--seed S] [--cache none|prefix|dual] [--json] [--trace FILE]
  [--model PATH|URL|OWNER/NAME] [--dtype fp32|fp16|q4f16|q8|q4] [--chat] [--hub-url URL]
  --model takes a folder, its http(s) URL, a Hugging Face repo id or dllm-tiny; --hub-url (or $DLLM_HUB_URL) replaces https://huggingface.co
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

type FlagOptions = NonNullable<ParseArgsConfig["options"]>;
/** The flags `options` declares, typed from the declaration (declare it `as const`). */
export type Flags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"];

/** Flags typed from their declaration; an unknown or malformed flag becomes an OptionError. */
export function parseTypedFlags<O extends FlagOptions>(argv: string[], options: O): Flags<O> {
  try {
    return parseArgs({ args: argv, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new OptionError("arguments", (error as Error).message.replace(/\s+/g, " "));
  }
}

/** An integer flag >= min, as counts, runs and seeds are. */
export function integerFlag(flag: string, text: string, min = 1): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) throw new OptionError(flag, `must be an integer >= ${min}, got ${JSON.stringify(text)}`);
  return value;
}

/** Flags as strings (or booleans); an unknown or malformed flag becomes an OptionError. */
export function parseFlags(argv: string[], options: FlagOptions): Record<string, string | boolean | undefined> {
  return parseTypedFlags(argv, options) as Record<string, string | boolean | undefined>;
}

/** --hub-url, else $DLLM_HUB_URL, checked as an http(s) URL. */
function hubUrlOf(flag: string | undefined, env: string | undefined): string | undefined {
  const text = flag ?? (env === "" ? undefined : env);
  if (text === undefined) return undefined;
  try {
    return hubBaseUrl(text);
  } catch (error) {
    throw new OptionError(flag === undefined ? "DLLM_HUB_URL" : "--hub-url", (error as OptionError).message.replace(/^hubUrl: /, ""));
  }
}

export function parseCliArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliArgs {
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
    dtype: { type: "string" },
    chat: { type: "boolean" },
    "hub-url": { type: "string" },
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
  rejectIgnoredFlags(options);
  let dtype: Dtype | undefined;
  try {
    dtype = text("dtype") === undefined ? undefined : parseDtype(text("dtype")!);
  } catch (error) {
    throw asFlagError(error as OptionError);
  }
  return {
    prompt: text("prompt")!,
    options,
    model: text("model"),
    dtype,
    chat: values.chat === true,
    hubUrl: hubUrlOf(text("hub-url"), env.DLLM_HUB_URL),
    json: values.json === true,
    trace: text("trace"),
  };
}

/**
 * A flag the chosen decoder does not read (say --steps with the default adablock) is an error
 * naming the decoders that read it, rather than a setting silently ignored.
 */
function rejectIgnoredFlags(options: Partial<GenerateOptions>): void {
  const decoder = options.decoder ?? DEFAULT_OPTIONS.decoder;
  // An unknown decoder is resolveOptions' to reject, listing the valid ones.
  if (!DECODERS.includes(decoder)) return;
  for (const [option, value] of Object.entries(options) as [keyof GenerateOptions, unknown][]) {
    const readers = decodersReading(option);
    if (value === undefined || readers.includes(decoder)) continue;
    const chosen = options.decoder === undefined ? `${decoder} (the default)` : decoder;
    throw new OptionError(FLAGS[option] ?? option, `applies to --decoder ${readers.join(" or ")}, not ${chosen}`);
  }
}

/** An engine OptionError re-labelled with the CLI flag it came from. */
export function asFlagError(error: OptionError): OptionError {
  const flag = FLAGS[error.option];
  return flag ? new OptionError(flag, error.message.slice(error.option.length + 2)) : error;
}
