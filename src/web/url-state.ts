/**
 * The page's settings in its URL's query, so a link reproduces a run: the prompt, the model
 * (picker entry, or a folder URL / repo id with its dtype, and the backend) and every decoder
 * setting the controls send, seed included. Values equal to the page's defaults are left out,
 * so a link names only what was changed. Pure: encoding and decoding are tested without a page.
 *
 * Decoding never throws: a parameter this page does not know, or a value no run could use, is
 * left out and named in `notices`, so a mangled link still opens the page with its defaults.
 * Limits that depend on the model (genLength against its context) are the engine's to check
 * at run time, as for values typed into the form.
 */
import type { BackendChoice } from "../../workers/api.ts";
import { CACHE_MODES, DECODERS, INNER_RULES, REMASKINGS } from "../decoding/options.ts";
import type { GenerateOptions } from "../decoding/types.ts";
import { DTYPES, type Dtype } from "../model/model-source.ts";
import { formatDelimiters, parseDelimiters } from "./controls.ts";

export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm"];

/** Parameters other parts of the page own (`?hub=`, model-panel): kept as they are, never reported as unknown. */
export const PASSTHROUGH_PARAMS: readonly string[] = ["hub"];

export interface SharedState {
  prompt?: string;
  /** The model picker's value ("<model id>|<dtype>", or "other" with `url`). */
  model?: string;
  /** With model "other": the folder URL or repo id typed, and its dtype ("" = the folder's default). */
  url?: string;
  dtype?: Dtype | "";
  backend?: BackendChoice;
  /** The decoder settings the controls send (those the chosen decoder reads). */
  options: Partial<GenerateOptions>;
}

/** What a link is compared against: anything equal to these is left out of it. */
export interface SharedDefaults {
  prompt: string;
  model: string;
  options: Readonly<GenerateOptions>;
}

/** What the page can set: the picker's values (unknown ones are refused). */
export interface SharedContext {
  modelValues: readonly string[];
}

export interface DecodedState {
  state: SharedState;
  /** One line per parameter that was ignored, saying why. */
  notices: string[];
}

type OptionName = keyof GenerateOptions;
const OPTION_NAMES: readonly OptionName[] = [
  "decoder",
  "genLength",
  "blockSize",
  "steps",
  "remasking",
  "threshold",
  "factor",
  "delimiterThreshold",
  "delimiters",
  "innerRule",
  "temperature",
  "seed",
  "cache",
];
const MODEL_PARAMS = ["prompt", "model", "url", "dtype", "backend"] as const;

/** A plain decimal number as a person or the form writes it; "", "0x10" and "1e999" are not. */
const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Why a value cannot be used, or the value. */
type Parsed<T> = { value: T } | { problem: string };

function oneOf<T extends string>(allowed: readonly T[]): (text: string) => Parsed<T> {
  return (text) => ((allowed as readonly string[]).includes(text) ? { value: text as T } : { problem: `must be one of ${allowed.join(", ")}` });
}

function number(check: (value: number) => boolean, rule: string): (text: string) => Parsed<number> {
  return (text) => {
    const value = NUMBER.test(text.trim()) ? Number(text) : Number.NaN;
    return Number.isFinite(value) && check(value) ? { value } : { problem: `must be ${rule}` };
  };
}

function formatThreshold(value: number): string {
  return Number.isFinite(value) ? String(value) : "inf";
}

/** One parser per option: the same rules the engine's resolveOptions applies, minus the model's limits. */
const OPTION_PARSERS: { [K in OptionName]: (text: string) => Parsed<GenerateOptions[K]> } = {
  decoder: oneOf(DECODERS),
  genLength: number((n) => Number.isInteger(n) && n >= 1, "an integer >= 1"),
  blockSize: number((n) => Number.isInteger(n) && n >= 1, "an integer >= 1"),
  steps: number((n) => Number.isInteger(n) && n >= 1, "an integer >= 1"),
  remasking: oneOf(REMASKINGS),
  threshold: number((n) => n > 0 && n <= 1, "in (0, 1]"),
  factor: number((n) => n > 0, "a number > 0"),
  delimiterThreshold: (text) => (/^inf(inity)?$/i.test(text.trim()) ? { value: Infinity } : number((n) => n >= 0, 'a number >= 0 or "inf"')(text)),
  delimiters: (text) => {
    const pieces = parseDelimiters(text);
    return pieces.length > 0 ? { value: pieces } : { problem: "must list at least one delimiter" };
  },
  innerRule: oneOf(INNER_RULES),
  temperature: number((n) => n >= 0, "a number >= 0"),
  seed: number((n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 32 - 1, "an integer in [0, 2^32 - 1]"),
  cache: oneOf(CACHE_MODES),
};

/** An option as the link writes it: numbers in JavaScript's shortest form, delimiters as the form's text. */
function formatOption<K extends OptionName>(name: K, value: GenerateOptions[K]): string {
  if (name === "delimiters") return formatDelimiters(value as string[]);
  if (name === "delimiterThreshold") return formatThreshold(value as number);
  return String(value);
}

/**
 * The query string (with its "?", or "" when everything is a default) for this state.
 * `current` is the page's present query: the parameters other modules own are carried over.
 */
export function encodeSharedState(state: SharedState, defaults: SharedDefaults, current = ""): string {
  const params = new URLSearchParams();
  const kept = new URLSearchParams(current);
  for (const name of PASSTHROUGH_PARAMS) for (const value of kept.getAll(name)) params.append(name, value);
  if (state.model !== undefined && state.model !== defaults.model) params.set("model", state.model);
  if (state.model === "other") {
    if (state.url) params.set("url", state.url);
    if (state.dtype) params.set("dtype", state.dtype);
  }
  if (state.backend !== undefined && state.backend !== "auto") params.set("backend", state.backend);
  for (const name of OPTION_NAMES) {
    const value = state.options[name];
    if (value === undefined) continue;
    const text = formatOption(name, value);
    if (text !== formatOption(name, defaults.options[name])) params.set(name, text);
  }
  // The prompt last: it is the long part of a link, and the settings stay readable before it.
  if (state.prompt !== undefined && state.prompt !== defaults.prompt) params.set("prompt", state.prompt);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/** The state a query string describes, and a notice for every parameter it ignored. */
export function decodeSharedState(search: string, context: SharedContext): DecodedState {
  const params = new URLSearchParams(search);
  const state: SharedState = { options: {} };
  const notices: string[] = [];
  const ignore = (name: string, value: string, why: string) => notices.push(`ignored ${name}=${JSON.stringify(value)} from the link: ${why}`);
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) {
      ignore(name, value, "it was given more than once (the first is used)");
      continue;
    }
    seen.add(name);
    if (PASSTHROUGH_PARAMS.includes(name)) continue;
    if ((OPTION_NAMES as readonly string[]).includes(name)) {
      const parsed = OPTION_PARSERS[name as OptionName](value);
      if ("problem" in parsed) ignore(name, value, parsed.problem);
      else (state.options as Record<string, unknown>)[name] = parsed.value;
      continue;
    }
    switch (name as (typeof MODEL_PARAMS)[number]) {
      case "prompt":
        state.prompt = value;
        break;
      case "model":
        if (context.modelValues.includes(value)) state.model = value;
        else ignore(name, value, "this page has no such model entry");
        break;
      case "url":
        state.url = value;
        break;
      case "dtype":
        if (value === "" || (DTYPES as readonly string[]).includes(value)) state.dtype = value as Dtype | "";
        else ignore(name, value, `must be one of ${DTYPES.join(", ")}`);
        break;
      case "backend": {
        const parsed = oneOf(BACKEND_CHOICES)(value);
        if ("problem" in parsed) ignore(name, value, parsed.problem);
        else state.backend = parsed.value;
        break;
      }
      default:
        ignore(name, value, "not a setting of this page");
    }
  }
  // A folder URL alone means the picker's "other" entry; with a catalog entry it means nothing.
  if (state.model === undefined && state.url !== undefined && context.modelValues.includes("other")) state.model = "other";
  if (state.model !== "other" && (state.url !== undefined || state.dtype !== undefined)) {
    if (state.url !== undefined) ignore("url", state.url, "it needs model=other");
    if (state.dtype !== undefined) ignore("dtype", state.dtype, "it needs model=other");
    delete state.url;
    delete state.dtype;
  }
  return { state, notices };
}
