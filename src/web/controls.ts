/**
 * The generation controls: form fields named after GenerateOptions. Reading only parses text
 * into numbers and lists; the engine validates the values (OptionError names the bad one).
 */
import { DECODER_SPECIFIC } from "../decoding/decoder-options.ts";
import type { DecoderName, GenerateOptions } from "../decoding/types.ts";

const NUMBER_FIELDS = ["genLength", "blockSize", "steps", "threshold", "factor", "temperature", "seed"] as const;
const CHOICE_FIELDS = ["decoder", "remasking", "innerRule", "cache"] as const;

function field(form: HTMLFormElement, name: string): HTMLInputElement | HTMLSelectElement {
  const node = form.elements.namedItem(name);
  if (!(node instanceof HTMLInputElement || node instanceof HTMLSelectElement)) throw new Error(`the form has no field "${name}"`);
  return node;
}

/** Delimiters are typed separated by spaces, with \n for a newline and \s for a space. */
export function parseDelimiters(text: string): string[] {
  return text
    .split(/ +/)
    .filter(Boolean)
    .map((piece) => piece.replaceAll("\\n", "\n").replaceAll("\\t", "\t").replaceAll("\\s", " "));
}

export function formatDelimiters(delimiters: readonly string[]): string {
  return delimiters.map((piece) => piece.replaceAll("\n", "\\n").replaceAll("\t", "\\t").replaceAll(" ", "\\s")).join(" ");
}

/** "inf" (or an empty field) means tau_D = Infinity: AdaBlock then keeps fixed blocks. */
export function parseDelimiterThreshold(text: string): number {
  const trimmed = text.trim().toLowerCase();
  return trimmed === "" || trimmed === "inf" || trimmed === "infinity" ? Infinity : Number(trimmed);
}

/** Disabled fields (those the chosen decoder does not read) are left out: the engine's defaults apply. */
export function readOptions(form: HTMLFormElement): Partial<GenerateOptions> {
  const options: Record<string, unknown> = {};
  const enabled = (name: string): boolean => !field(form, name).disabled;
  for (const name of NUMBER_FIELDS) if (enabled(name)) options[name] = Number(field(form, name).value);
  for (const name of CHOICE_FIELDS) if (enabled(name)) options[name] = field(form, name).value;
  if (enabled("delimiterThreshold")) options.delimiterThreshold = parseDelimiterThreshold(field(form, "delimiterThreshold").value);
  if (enabled("delimiters")) options.delimiters = parseDelimiters(field(form, "delimiters").value);
  return options as Partial<GenerateOptions>;
}

export function writeOptions(form: HTMLFormElement, options: GenerateOptions): void {
  for (const name of NUMBER_FIELDS) field(form, name).value = String(options[name]);
  for (const name of CHOICE_FIELDS) field(form, name).value = options[name];
  field(form, "delimiterThreshold").value = Number.isFinite(options.delimiterThreshold) ? String(options.delimiterThreshold) : "inf";
  field(form, "delimiters").value = formatDelimiters(options.delimiters);
  updateRelevance(form);
}

/** Writes the given fields only (a preset), then re-derives which fields are enabled. */
export function writeFields(form: HTMLFormElement, options: Partial<GenerateOptions>): void {
  for (const [name, value] of Object.entries(options)) {
    if (name === "delimiterThreshold") field(form, name).value = Number.isFinite(value) ? String(value) : "inf";
    else if (name === "delimiters") field(form, name).value = formatDelimiters(value as string[]);
    else field(form, name).value = String(value);
  }
  updateRelevance(form);
}

/** Disables the fields the chosen decoder does not read (decoder-options.ts), so the form says what matters. */
export function updateRelevance(form: HTMLFormElement): void {
  const decoder = field(form, "decoder").value as DecoderName;
  for (const [name, decoders] of Object.entries(DECODER_SPECIFIC)) field(form, name).disabled = !decoders.includes(decoder);
}
